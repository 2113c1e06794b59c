package sandbox

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"strings"

	"go.uber.org/zap"
)

// Record creation, POST /services/data/vNN.N/sobjects/<Type>: the sandbox
// creates ObjectPermissions records only (adding an object type to the
// integration user's permission set), and only as the integration user,
// which is how the product changes its own permission set.

// sfCreate answers 201 {"id","success":true,"errors":[]} or Salesforce's
// error list with 400 (or 403, 404, 405, 415 for the request itself).
func (s *Sandbox) sfCreate(w http.ResponseWriter, r *http.Request, o *org, caller *sfUser, typ string) {
	obj := objects[strings.ToLower(typ)]
	switch {
	case obj == nil:
		sfError(w, http.StatusNotFound, errNotFound, msgNotFound)
		return
	case obj.name != "ObjectPermissions":
		sfError(w, http.StatusMethodNotAllowed, errMethodNotAllowed,
			"HTTP Method 'POST' not allowed on "+obj.name+": the sandbox creates ObjectPermissions records only")
		return
	}
	s.mu.RLock()
	integration := o.integration
	s.mu.RUnlock()
	if caller != integration {
		sfError(w, http.StatusForbidden, "INSUFFICIENT_ACCESS_OR_READONLY",
			"insufficient access rights: only the integration user (client credentials) may change permission sets here")
		return
	}
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct != "application/json" {
		sfError(w, http.StatusUnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE",
			"MediaType of '"+r.Header.Get("Content-Type")+"' is not supported by this resource")
		return
	}
	in, code, msg := decodeObjectPermission(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if code == "" {
		var id string
		if id, code, msg = s.addObjectPermission(o, in); code == "" {
			s.log.Info("object permission added", zap.String("org", o.id), zap.String("sobject_type", in.SobjectType), zap.String("id", id))
			writeJSON(w, http.StatusCreated, map[string]any{"id": id, "success": true, "errors": []any{}})
			return
		}
	}
	sfError(w, http.StatusBadRequest, code, msg)
}

// decodeObjectPermission reads an ObjectPermissions record's JSON, with
// Salesforce's refusals: field names are case-insensitive, Id is not
// writable, unknown fields and values of the wrong type are errors.
func decodeObjectPermission(body io.Reader) (objectPermInput, string, string) {
	var in objectPermInput
	var raw map[string]json.RawMessage
	if err := json.NewDecoder(body).Decode(&raw); err != nil {
		return in, errJSONParser, "Unexpected character in the request body: " + err.Error()
	}
	var haveParent, haveType bool
	for k, v := range raw {
		if bytes.Equal(bytes.TrimSpace(v), []byte("null")) {
			continue // as if absent
		}
		var ok bool
		switch strings.ToLower(k) {
		case "attributes":
			ok = true // {"type":"ObjectPermissions"}, as clients send it
		case "id":
			return in, "INVALID_FIELD_FOR_INSERT_UPDATE", "Unable to create/update fields: Id. Please check the security settings of this field and verify that it is read/write for your profile or permission set."
		case "parentid":
			ok, haveParent = json.Unmarshal(v, &in.ParentID) == nil, true
		case "sobjecttype":
			ok, haveType = json.Unmarshal(v, &in.SobjectType) == nil, true
		case "permissionsread":
			ok = json.Unmarshal(v, &in.Read) == nil
		case "permissionscreate":
			ok = json.Unmarshal(v, &in.Create) == nil
		case "permissionsedit":
			ok = json.Unmarshal(v, &in.Edit) == nil
		default:
			return in, "INVALID_FIELD", "No such column '" + k + "' on sobject of type ObjectPermissions"
		}
		if !ok {
			return in, errJSONParser, "Cannot deserialize the value of " + k + " from " + shortJSON(v)
		}
	}
	var missing []string
	if !haveParent || in.ParentID == "" {
		missing = append(missing, "ParentId")
	}
	if !haveType || in.SobjectType == "" {
		missing = append(missing, "SobjectType")
	}
	if len(missing) > 0 {
		return in, "REQUIRED_FIELD_MISSING", "Required fields are missing: [" + strings.Join(missing, ", ") + "]"
	}
	return in, "", ""
}

// shortJSON quotes a value for an error message, shortened.
func shortJSON(v json.RawMessage) string {
	const max = 40
	if len(v) > max {
		return string(v[:max]) + "…"
	}
	return string(v)
}
