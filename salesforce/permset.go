package salesforce

import (
	"context"
	"errors"
	"fmt"

	"go.uber.org/zap"
)

// The integration user's permission set (SPEC rule 6): the objects it
// grants, the object types the org has, and granting one more.

// IntegrationPermissionSet is the API name of the permission set that the
// Slack integration user holds.
const IntegrationPermissionSet = "SlackIntegration"

// PermissionSetObjects returns the id of the integration user's permission
// set and the object types it grants (its ObjectPermissions), sorted. No
// such permission set is an error wrapping ErrNotFound.
func (c *Client) PermissionSetObjects(ctx context.Context) (setID string, objects []string, err error) {
	const op = "PermissionSetObjects"
	setID, err = c.permissionSetID(ctx, op, IntegrationPermissionSet)
	if err != nil {
		return "", nil, err
	}
	soql := "SELECT SobjectType FROM ObjectPermissions WHERE ParentId = " + Quote(setID) + " ORDER BY SobjectType"
	err = queryEach(ctx, c, op, soql, 0, func(perms []struct{ SobjectType string }) error {
		for _, p := range perms {
			objects = append(objects, p.SobjectType)
		}
		return nil
	})
	if err != nil {
		return "", nil, err
	}
	return setID, objects, nil
}

// permissionSetID finds a permission set's id by its API name.
func (c *Client) permissionSetID(ctx context.Context, op, name string) (string, error) {
	var id string
	soql := "SELECT Id FROM PermissionSet WHERE Name = " + Quote(name) + " LIMIT 1"
	err := queryEach(ctx, c, op, soql, 0, func(sets []struct{ Id string }) error {
		id = sets[0].Id
		return nil
	})
	if err != nil {
		return "", err
	}
	if id == "" {
		return "", fmt.Errorf("salesforce %s on %s: no permission set named %q: %w", op, c.domain.Host, name, ErrNotFound)
	}
	return id, nil
}

// ObjectTypes returns the API names of the org's object types that a
// permission set can grant (EntityDefinition records that are
// customizable, through every page), sorted: what AddObjectPermission
// accepts.
func (c *Client) ObjectTypes(ctx context.Context) ([]string, error) {
	var types []string
	err := queryEach(ctx, c, "ObjectTypes",
		"SELECT QualifiedApiName FROM EntityDefinition WHERE IsCustomizable = true ORDER BY QualifiedApiName", 0,
		func(defs []struct{ QualifiedApiName string }) error {
			for _, d := range defs {
				types = append(types, d.QualifiedApiName)
			}
			return nil
		})
	if err != nil {
		return nil, err
	}
	return types, nil
}

// AddObjectPermission grants the permission set setID read access to the
// object type sobjectType (an ObjectPermissions record). It is idempotent:
// a type the set already grants (DUPLICATE_VALUE) is no error, so that a
// retried activity converges. An unknown type is an *APIError with
// Salesforce's message, not Retryable.
func (c *Client) AddObjectPermission(ctx context.Context, setID, sobjectType string) error {
	const op = "AddObjectPermission"
	if setID == "" || sobjectType == "" {
		return fmt.Errorf("salesforce %s on %s: a permission set id and an object type are required", op, c.domain.Host)
	}
	body := map[string]any{"ParentId": setID, "SobjectType": sobjectType, "PermissionsRead": true}
	var res saveResult
	err := c.postJSON(ctx, op, c.dataPath+"/sobjects/ObjectPermissions", body, &res)
	if err == nil {
		err = res.err(c, op)
	}
	if e, ok := errors.AsType[*APIError](err); ok && e.Code == "DUPLICATE_VALUE" {
		c.log.Info("object permission already granted", zap.String("set", setID), zap.String("sobject_type", sobjectType))
		return nil
	}
	if err != nil {
		return err
	}
	c.log.Info("object permission granted", zap.String("set", setID), zap.String("sobject_type", sobjectType), zap.String("id", res.ID))
	return nil
}
