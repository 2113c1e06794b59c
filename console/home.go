package console

import "net/http"

type homePage struct {
	OrgError string
	OrgInput string
}

// home is where everyone starts: Slack's side or Salesforce's.
func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "home", homePage{})
}
