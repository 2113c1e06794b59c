// Package deploy_test checks the production deployment (docker-compose.yml,
// Dockerfile, .dockerignore and deploy/) without a Docker engine: it parses
// the files and checks the services, their images, ports, environment,
// health checks and start order, the image build, and that what the files
// name (scripts, configs, binaries, search attributes, environment
// variables) exists and agrees with the code. When the docker-compose CLI
// is installed, it also validates the compose file with it.
package deploy_test

import (
	"bufio"
	"bytes"
	"context"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/sfconnect/sfconnect/workflows"
)

// root is the repository, seen from this package's directory.
const root = ".."

// The services of docker-compose.yml, and the one-shot steps among them.
var (
	wantServices = []string{"postgresql", "temporal-schema", "temporal", "temporal-setup", "guard", "temporal-ui", "worker"}
	oneShots     = []string{"temporal-schema", "temporal-setup"}
)

const (
	healthy   = "service_healthy"
	completed = "service_completed_successfully"
)

type compose struct {
	Services map[string]service `yaml:"services"`
	Volumes  map[string]any     `yaml:"volumes"`
}

type service struct {
	Image         string       `yaml:"image"`
	Build         any          `yaml:"build"`
	Restart       string       `yaml:"restart"`
	Profiles      []string     `yaml:"profiles"`
	ContainerName string       `yaml:"container_name"`
	DependsOn     any          `yaml:"depends_on"`
	Environment   any          `yaml:"environment"`
	Ports         []any        `yaml:"ports"`
	Volumes       []any        `yaml:"volumes"`
	Entrypoint    any          `yaml:"entrypoint"`
	Healthcheck   *healthcheck `yaml:"healthcheck"`
}

type healthcheck struct {
	Test    any  `yaml:"test"`
	Disable bool `yaml:"disable"`
}

func loadCompose(t *testing.T) compose {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, "docker-compose.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var c compose
	if err := yaml.Unmarshal(data, &c); err != nil {
		t.Fatalf("docker-compose.yml: %v", err)
	}
	if len(c.Services) == 0 {
		t.Fatal("docker-compose.yml: no services")
	}
	return c
}

// svc returns a service that must exist.
func (c compose) svc(t *testing.T, name string) service {
	t.Helper()
	s, ok := c.Services[name]
	if !ok {
		t.Fatalf("docker-compose.yml has no service %q", name)
	}
	return s
}

func (s service) oneShot() bool { return s.Restart == "no" }

// env is the service's environment, from either of compose's two forms,
// uninterpolated.
func (s service) env(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	switch e := s.Environment.(type) {
	case nil:
	case map[string]any:
		for k, v := range e {
			if v == nil {
				out[k] = ""
			} else {
				out[k] = scalar(v)
			}
		}
	case []any:
		for _, item := range e {
			k, v, _ := strings.Cut(scalar(item), "=")
			out[k] = v
		}
	default:
		t.Fatalf("environment: unexpected %T", e)
	}
	return out
}

// dependsOn maps each dependency to its condition ("" in the list form,
// which waits for nothing but the container's start).
func (s service) dependsOn(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	switch d := s.DependsOn.(type) {
	case nil:
	case []any:
		for _, name := range d {
			out[scalar(name)] = ""
		}
	case map[string]any:
		for name, v := range d {
			cond := ""
			if m, ok := v.(map[string]any); ok {
				cond = scalar(m["condition"])
			}
			out[name] = cond
		}
	default:
		t.Fatalf("depends_on: unexpected %T", d)
	}
	return out
}

// healthTest is the health check's test as an argv whose first word is
// CMD, CMD-SHELL or NONE (nil without a health check).
func (s service) healthTest() []string {
	if s.Healthcheck == nil {
		return nil
	}
	switch v := s.Healthcheck.Test.(type) {
	case string:
		return []string{"CMD-SHELL", v}
	case []any:
		out := make([]string, len(v))
		for i, w := range v {
			out[i] = scalar(w)
		}
		return out
	}
	return nil
}

// buildContext is the service's build context and Dockerfile ("" without build).
func (s service) buildContext() (context, dockerfile string) {
	switch b := s.Build.(type) {
	case string:
		return b, "Dockerfile"
	case map[string]any:
		context, dockerfile = scalar(b["context"]), scalar(b["dockerfile"])
		if context == "" {
			context = "."
		}
		if dockerfile == "" {
			dockerfile = "Dockerfile"
		}
		return context, dockerfile
	}
	return "", ""
}

type port struct {
	hostIP            string
	published, target int
}

// ports are the published ports, from the short ("ip:host:container/proto")
// or the long syntax.
func (s service) ports(t *testing.T) []port {
	t.Helper()
	var out []port
	for _, p := range s.Ports {
		switch v := p.(type) {
		case string:
			spec, _, _ := strings.Cut(interpolate(v), "/")
			var ip, host, target string
			if i := strings.LastIndex(spec, ":"); i >= 0 {
				target = spec[i+1:]
				rest := spec[:i]
				if j := strings.LastIndex(rest, ":"); j >= 0 {
					ip, host = strings.Trim(rest[:j], "[]"), rest[j+1:]
				} else {
					host = rest
				}
			} else {
				target = spec
			}
			out = append(out, port{ip, atoi(t, host), atoi(t, target)})
		case int:
			out = append(out, port{"", 0, v})
		case map[string]any:
			out = append(out, port{scalar(v["host_ip"]), atoi(t, scalar(v["published"])), atoi(t, scalar(v["target"]))})
		default:
			t.Fatalf("ports: unexpected %T", v)
		}
	}
	return out
}

type mount struct{ source, target string }

// binds are the service's bind mounts ("./host:/container[:mode]").
func (s service) binds() []mount {
	var out []mount
	for _, v := range s.Volumes {
		var src, dst string
		switch m := v.(type) {
		case string:
			parts := strings.Split(m, ":")
			if len(parts) < 2 {
				continue
			}
			src, dst = parts[0], parts[1]
		case map[string]any:
			src, dst = scalar(m["source"]), scalar(m["target"])
		}
		if strings.HasPrefix(src, "./") || strings.HasPrefix(src, "../") || strings.HasPrefix(src, "/") {
			out = append(out, mount{src, dst})
		}
	}
	return out
}

// hostPath maps a path inside the service's container to the repository
// file it is mounted from ("" when no bind mount covers it).
func (s service) hostPath(containerPath string) string {
	for _, m := range s.binds() {
		if containerPath == m.target {
			return filepath.Join(root, m.source)
		}
		if rel, ok := strings.CutPrefix(containerPath, m.target+"/"); ok {
			return filepath.Join(root, m.source, rel)
		}
	}
	return ""
}

func scalar(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case int:
		return strconv.Itoa(x)
	case bool:
		return strconv.FormatBool(x)
	}
	return ""
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	if s == "" {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatalf("port %q: %v", s, err)
	}
	return n
}

var variable = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}`)

// interpolate resolves compose's variables as with an empty environment:
// ${X:-default} is its default, ${X:?error} (required) the placeholder
// REQUIRED_X, ${X} nothing.
func interpolate(s string) string {
	s = variable.ReplaceAllStringFunc(s, func(m string) string {
		sub := variable.FindStringSubmatch(m)
		switch sub[2] {
		case ":-", "-":
			return sub[3]
		case ":?", "?":
			return "REQUIRED_" + sub[1]
		}
		return ""
	})
	return strings.ReplaceAll(s, "$$", "$")
}

// passThrough reports whether a value is `${NAME:-}`: the host's NAME, or
// nothing.
func passThrough(name, value string) bool { return value == "${"+name+":-}" }

// required reports whether a value is `${NAME:?…}`: the host's NAME, or an
// error before anything starts.
func required(value, name string) bool { return strings.HasPrefix(value, "${"+name+":?") }

func TestComposeServices(t *testing.T) {
	c := loadCompose(t)
	for _, name := range wantServices {
		s := c.svc(t, name)
		if len(s.Profiles) > 0 {
			t.Errorf("%s: in profiles %v; it must start with a plain `up`", name, s.Profiles)
		}
		if slices.Contains(oneShots, name) != s.oneShot() {
			t.Errorf("%s: restart %q; one-shot steps (%v) need restart \"no\", the others a restart policy", name, s.Restart, oneShots)
		}
	}
	for name, s := range c.Services {
		if s.Image == "" && s.Build == nil {
			t.Errorf("%s: neither image nor build", name)
		}
		if !s.oneShot() && s.Restart != "unless-stopped" && s.Restart != "always" {
			t.Errorf("%s: restart %q; a long-running service restarts with the host (unless-stopped)", name, s.Restart)
		}
		// A fixed name would clash with another project on the host, and a
		// scaled service cannot have one.
		if s.ContainerName != "" {
			t.Errorf("%s: container_name %q; let compose name containers", name, s.ContainerName)
		}
	}
	if _, ok := c.Volumes["postgresql-data"]; !ok {
		t.Error("no named volume postgresql-data for PostgreSQL's data")
	}
	pg := c.svc(t, "postgresql")
	var data bool
	for _, v := range pg.Volumes {
		if s, ok := v.(string); ok && strings.HasPrefix(s, "postgresql-data:/var/lib/postgresql/data") {
			data = true
		}
	}
	if !data {
		t.Error("postgresql: its data directory is not on the postgresql-data volume")
	}
}

// imageRef splits "repo[:tag][@digest]".
func imageRef(image string) (repo, tag, digest string) {
	repo, digest, _ = strings.Cut(image, "@")
	if i := strings.LastIndex(repo, ":"); i > strings.LastIndex(repo, "/") {
		repo, tag = repo[:i], repo[i+1:]
	}
	return repo, tag, digest
}

func checkPinned(t *testing.T, where, image string) {
	t.Helper()
	if strings.Contains(image, "$") {
		t.Errorf("%s: image %q is not a fixed reference", where, image)
		return
	}
	_, tag, digest := imageRef(image)
	switch {
	case tag == "" && digest == "":
		t.Errorf("%s: image %q has no tag: pin one", where, image)
	case tag == "latest":
		t.Errorf("%s: image %q: pin a version, not latest", where, image)
	}
}

func TestComposeImagesPinned(t *testing.T) {
	c := loadCompose(t)
	for name, s := range c.Services {
		if s.Image != "" {
			checkPinned(t, name, s.Image)
		}
	}
	wantRepo := map[string]string{
		"postgresql":      "postgres",
		"temporal-schema": "temporalio/admin-tools",
		"temporal":        "temporalio/server",
		"temporal-setup":  "temporalio/admin-tools",
		"temporal-ui":     "temporalio/ui",
	}
	for name, want := range wantRepo {
		if repo, _, _ := imageRef(c.svc(t, name).Image); repo != want {
			t.Errorf("%s: image %q; want the official %s", name, c.svc(t, name).Image, want)
		}
	}
	// The schema tool and the CLI must be those of the server's version.
	_, server, _ := imageRef(c.svc(t, "temporal").Image)
	for _, name := range oneShots {
		if _, tag, _ := imageRef(c.svc(t, name).Image); tag != server {
			t.Errorf("%s: admin-tools %s, server %s: use the same version", name, tag, server)
		}
	}
	if _, tag, _ := imageRef(c.svc(t, "postgresql").Image); !strings.HasPrefix(tag, "16") {
		t.Errorf("postgresql: tag %q; the deployment is written for PostgreSQL 16 (its data directory, its init scripts)", tag)
	}
}

func TestComposeWorkerBuild(t *testing.T) {
	c := loadCompose(t)
	for name, s := range c.Services {
		if s.Build == nil {
			continue
		}
		context, dockerfile := s.buildContext()
		if filepath.Clean(context) != "." {
			t.Errorf("%s: build context %q; the repository (.) holds go.mod", name, context)
		}
		if _, err := os.Stat(filepath.Join(root, context, dockerfile)); err != nil {
			t.Errorf("%s: Dockerfile: %v", name, err)
		}
	}
	if context, dockerfile := c.svc(t, "worker").buildContext(); context == "" || dockerfile != "Dockerfile" {
		t.Errorf("worker: build %v; want it built from the repository's Dockerfile", c.svc(t, "worker").Build)
	}
}

func TestComposePorts(t *testing.T) {
	c := loadCompose(t)
	published := map[string][]port{}
	for name, s := range c.Services {
		for _, p := range s.ports(t) {
			published[name] = append(published[name], p)
			ip := net.ParseIP(p.hostIP)
			if ip == nil || !ip.IsLoopback() {
				t.Errorf("%s: port %d is published on %q; publish on 127.0.0.1 only (nothing here authenticates its clients)", name, p.target, p.hostIP)
			}
			if p.published == 0 {
				t.Errorf("%s: port %d is published on a random host port", name, p.target)
			}
		}
	}
	want := map[string]int{"guard": 7233, "temporal-ui": 8080}
	for name, target := range want {
		found := false
		for _, p := range published[name] {
			if p.target == target && p.published == target {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: port %d is not published as %d (127.0.0.1:%d:%d)", name, target, target, target, target)
		}
	}
	if ps := published["postgresql"]; len(ps) > 0 {
		t.Errorf("postgresql: publishes %v; the database stays on the compose network", ps)
	}
	if addr := c.svc(t, "temporal-ui").env(t)["TEMPORAL_ADDRESS"]; addr != "guard:7233" {
		t.Errorf("temporal-ui: TEMPORAL_ADDRESS %q; want guard:7233, so that what the Web UI sends is checked too", addr)
	}
	if ps := published["temporal"]; len(ps) > 0 {
		t.Errorf("temporal: publishes %v; clients reach the frontend through the guard, which keeps unsealed payloads out of the history", ps)
	}
	if ps := published["worker"]; len(ps) > 0 {
		t.Errorf("worker: publishes %v; a published port stops `--scale worker=N`", ps)
	}
}

func TestComposeHealthchecks(t *testing.T) {
	c := loadCompose(t)
	for name, s := range c.Services {
		test := s.healthTest()
		if s.oneShot() {
			continue
		}
		switch {
		case s.Healthcheck == nil || s.Healthcheck.Disable || len(test) == 0:
			t.Errorf("%s: no health check", name)
			continue
		case test[0] == "CMD-SHELL" && s.Build != nil:
			t.Errorf("%s: CMD-SHELL health check, but the image (distroless) has no shell: use CMD", name)
		case test[0] != "CMD" && test[0] != "CMD-SHELL" || len(test) < 2:
			t.Errorf("%s: health check %q is not [CMD …] or [CMD-SHELL …]", name, test)
		}
	}
	joined := func(name string) string { return strings.Join(c.svc(t, name).healthTest(), " ") }
	// PostgreSQL answers on its socket while the first start's init scripts
	// still run; only a TCP check waits for them.
	if h := joined("postgresql"); !strings.Contains(h, "pg_isready") || !regexp.MustCompile(`(--host[= ]|-h )127\.0\.0\.1`).MatchString(h) {
		t.Errorf("postgresql: health check %q; want pg_isready over TCP (--host=127.0.0.1)", h)
	}
	if h := joined("temporal"); !strings.Contains(h, "7233") {
		t.Errorf("temporal: health check %q does not check the frontend port 7233", h)
	}
	if h := joined("temporal-ui"); !strings.Contains(h, ":8080/healthz") {
		t.Errorf("temporal-ui: health check %q does not ask the UI server's /healthz", h)
	}
	if got, want := c.svc(t, "worker").healthTest(), []string{"CMD", "/usr/local/bin/worker", "-healthcheck"}; !slices.Equal(got, want) {
		t.Errorf("worker: health check %q, want %q", got, want)
	}
	if got, want := c.svc(t, "guard").healthTest(), []string{"CMD", "/usr/local/bin/guard", "-healthcheck", "-listen", "127.0.0.1:7233"}; !slices.Equal(got, want) {
		t.Errorf("guard: health check %q, want %q", got, want)
	}
}

func TestComposeStartOrder(t *testing.T) {
	c := loadCompose(t)
	// Every edge waits for health or for a one-shot's success: a bare
	// depends_on only waits for the container to exist.
	for name, s := range c.Services {
		for dep, cond := range s.dependsOn(t) {
			d, ok := c.Services[dep]
			switch {
			case !ok:
				t.Errorf("%s: depends on %q, which is not a service", name, dep)
			case len(d.Profiles) > 0 && len(s.Profiles) == 0:
				t.Errorf("%s: depends on %s, which only starts with --profile", name, dep)
			case cond == completed && !d.oneShot():
				t.Errorf("%s: waits for %s to complete, but %s keeps running", name, dep, dep)
			case cond == healthy && d.Healthcheck == nil:
				t.Errorf("%s: waits for %s to be healthy, but %s has no health check", name, dep, dep)
			case cond != healthy && cond != completed:
				t.Errorf("%s: depends on %s with condition %q; want %s or %s", name, dep, cond, healthy, completed)
			}
		}
	}
	want := map[string]map[string]string{
		"temporal-schema": {"postgresql": healthy},
		"temporal":        {"postgresql": healthy, "temporal-schema": completed},
		"temporal-setup":  {"temporal": healthy},
		"guard":           {"temporal": healthy, "temporal-setup": completed},
		"temporal-ui":     {"temporal": healthy, "temporal-setup": completed, "guard": healthy},
		"worker":          {"postgresql": healthy, "temporal": healthy, "temporal-setup": completed},
	}
	for name, deps := range want {
		got := c.svc(t, name).dependsOn(t)
		for dep, cond := range deps {
			if got[dep] != cond {
				t.Errorf("%s: depends_on %s: condition %q, want %q", name, dep, got[dep], cond)
			}
		}
	}
	// The whole order, and no cycle.
	order := []string{"postgresql", "temporal-schema", "temporal", "temporal-setup"}
	for _, last := range []string{"worker", "temporal-ui"} {
		before := ancestors(t, c, last)
		for _, name := range order {
			if !before[name] {
				t.Errorf("%s can start before %s", last, name)
			}
		}
	}
	for i, name := range order {
		before := ancestors(t, c, name)
		for _, later := range order[i:] {
			if before[later] {
				t.Errorf("%s waits for %s: the order %v is broken (a cycle?)", name, later, order)
			}
		}
	}
}

// ancestors are the services a service waits for, directly or not.
func ancestors(t *testing.T, c compose, name string) map[string]bool {
	seen := map[string]bool{}
	var visit func(string)
	visit = func(n string) {
		for dep := range c.Services[n].dependsOn(t) {
			if !seen[dep] {
				seen[dep] = true
				visit(dep)
			}
		}
	}
	visit(name)
	return seen
}

// configEnv are the variables config/config.go reads, by their quoted names.
func configEnv(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(root, "config", "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	var src []byte
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		src = append(src, b...)
	}
	var names []string
	for _, m := range regexp.MustCompile(`"((?:SFCONNECT|SLACK|SALESFORCE|DATABASE)_[A-Z0-9_]+)"`).FindAllStringSubmatch(string(src), -1) {
		if !slices.Contains(names, m[1]) && !slices.Contains(cliOnlyEnv, m[1]) {
			names = append(names, m[1])
		}
	}
	if len(names) < 10 {
		t.Fatalf("config/config.go: found only %v; has the way it reads the environment changed?", names)
	}
	return names
}

// cliOnlyEnv are read by config for the starter CLI alone: the worker has
// no use for them.
var cliOnlyEnv = []string{"SFCONNECT_PROOF"}

func TestComposeWorkerEnvironment(t *testing.T) {
	c := loadCompose(t)
	env := c.svc(t, "worker").env(t)
	if env["TEMPORAL_ADDRESS"] != "temporal:7233" {
		t.Errorf("worker: TEMPORAL_ADDRESS=%q, want temporal:7233", env["TEMPORAL_ADDRESS"])
	}
	ns := env["TEMPORAL_NAMESPACE"]
	if ns == "" {
		t.Error("worker: no TEMPORAL_NAMESPACE")
	}
	if got := c.svc(t, "temporal-setup").env(t)["TEMPORAL_NAMESPACE"]; got != ns {
		t.Errorf("temporal-setup prepares namespace %q, the worker uses %q", got, ns)
	}
	if got := c.svc(t, "temporal-ui").env(t)["TEMPORAL_DEFAULT_NAMESPACE"]; got != ns {
		t.Errorf("temporal-ui opens namespace %q, the worker uses %q", got, ns)
	}

	// The store: a database of its own on the compose PostgreSQL.
	raw := env["DATABASE_URL"]
	u, err := url.Parse(interpolate(raw))
	if err != nil {
		t.Fatalf("worker: DATABASE_URL %q: %v", raw, err)
	}
	pw, _ := u.User.Password()
	if u.Scheme != "postgres" && u.Scheme != "postgresql" || u.Host != "postgresql:5432" || u.User.Username() == "" || pw != "REQUIRED_SFCONNECT_DB_PASSWORD" {
		t.Errorf("worker: DATABASE_URL %q; want postgres://USER:${SFCONNECT_DB_PASSWORD:?…}@postgresql:5432/DB", raw)
	}
	db := strings.TrimPrefix(u.Path, "/")
	temporal := c.svc(t, "temporal").env(t)
	if db == "" || db == temporal["DBNAME"] || db == temporal["VISIBILITY_DBNAME"] || u.User.Username() == temporal["POSTGRES_USER"] {
		t.Errorf("worker: DATABASE_URL %q shares Temporal's database or role", raw)
	}
	initSQL := initScripts(t, c)
	pg := c.svc(t, "postgresql").env(t)
	if pg["SFCONNECT_DB_USER"] != u.User.Username() || pg["SFCONNECT_DBNAME"] != db {
		t.Errorf("postgresql: makes role %q and database %q; the worker's DATABASE_URL uses %q and %q", pg["SFCONNECT_DB_USER"], pg["SFCONNECT_DBNAME"], u.User.Username(), db)
	}
	for _, want := range []string{`--set sfconnect_user="$SFCONNECT_DB_USER"`, `--set sfconnect_db="$SFCONNECT_DBNAME"`, `CREATE ROLE :"sfconnect_user" `, `CREATE DATABASE :"sfconnect_db" OWNER :"sfconnect_user"`} {
		if !strings.Contains(initSQL, want) {
			t.Errorf("deploy/postgres/initdb does not %q (the worker's DATABASE_URL)", want)
		}
	}

	// Everything config.go reads reaches the worker; credentials and knobs
	// come from the host (empty: the default), none is written here.
	for _, name := range configEnv(t) {
		value, ok := env[name]
		switch {
		case name == "SFCONNECT_DATA_DIR" || name == "DATABASE_URL":
		case !ok:
			t.Errorf("worker: %s (read by config/config.go) is not passed: add %s: ${%s:-}", name, name, name)
		case !passThrough(name, value):
			t.Errorf("worker: %s=%q; pass the host's value through: ${%s:-}", name, value, name)
		}
	}
	if v := env["SFCONNECT_SANDBOX_URL"]; !passThrough("SFCONNECT_SANDBOX_URL", v) {
		t.Errorf("worker: SFCONNECT_SANDBOX_URL=%q; it must stay empty unless the host sets it", v)
	}
}

func TestComposeSecrets(t *testing.T) {
	c := loadCompose(t)
	secret := regexp.MustCompile(`(PASSWORD|PWD|SECRET|TOKENS?|KEYS?)$`)
	for name, s := range c.Services {
		for k, v := range s.env(t) {
			if secret.MatchString(k) && !strings.HasPrefix(v, "${") {
				t.Errorf("%s: %s has a literal value; take it from the environment", name, k)
			}
			if secret.MatchString(k) && strings.HasPrefix(v, "${") && !strings.HasSuffix(v, ":-}") && !strings.Contains(v, ":?") {
				t.Errorf("%s: %s=%q has a default; a secret is ${X:?…} (required) or ${X:-} (optional)", name, k, v)
			}
		}
	}
	for _, tc := range []struct{ service, key, from string }{
		{"postgresql", "POSTGRES_PASSWORD", "POSTGRES_PASSWORD"},
		{"postgresql", "TEMPORAL_DB_PASSWORD", "TEMPORAL_DB_PASSWORD"},
		{"postgresql", "SFCONNECT_DB_PASSWORD", "SFCONNECT_DB_PASSWORD"},
		{"temporal-schema", "SQL_PASSWORD", "TEMPORAL_DB_PASSWORD"},
		{"temporal", "POSTGRES_PWD", "TEMPORAL_DB_PASSWORD"},
		// One key ring: the worker seals with it, the guard checks by it.
		{"worker", "SFCONNECT_CODEC_KEYS", "SFCONNECT_CODEC_KEYS"},
		{"guard", "SFCONNECT_CODEC_KEYS", "SFCONNECT_CODEC_KEYS"},
	} {
		if v := c.svc(t, tc.service).env(t)[tc.key]; !required(v, tc.from) {
			t.Errorf("%s: %s=%q; want ${%s:?…}", tc.service, tc.key, v, tc.from)
		}
	}
}

// initScripts are the contents of the scripts mounted into PostgreSQL's
// /docker-entrypoint-initdb.d, checked for syntax.
func initScripts(t *testing.T, c compose) string {
	t.Helper()
	dir := c.svc(t, "postgresql").hostPath("/docker-entrypoint-initdb.d")
	if dir == "" {
		t.Fatal("postgresql: nothing is mounted on /docker-entrypoint-initdb.d")
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var all strings.Builder
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		all.Write(data)
		if strings.HasSuffix(e.Name(), ".sh") {
			checkShell(t, p, "bash")
		}
	}
	return all.String()
}

// checkShell checks a script's syntax with shell (skipped where it is absent).
func checkShell(t *testing.T, file, shell string) {
	t.Helper()
	if _, err := exec.LookPath(shell); err != nil {
		t.Logf("%s not installed: syntax of %s not checked", shell, file)
		return
	}
	if out, err := exec.Command(shell, "-n", file).CombinedOutput(); err != nil {
		t.Errorf("%s -n %s: %v\n%s", shell, file, err, out)
	}
}

func TestDeployFiles(t *testing.T) {
	c := loadCompose(t)
	for name, s := range c.Services {
		for _, m := range s.binds() {
			if _, err := os.Stat(filepath.Join(root, m.source)); err != nil {
				t.Errorf("%s: mounts %s: %v", name, m.source, err)
			}
		}
	}

	// PostgreSQL's first start makes Temporal's role and databases, with
	// the names the server uses.
	initSQL := initScripts(t, c)
	temporal := c.svc(t, "temporal").env(t)
	pg := c.svc(t, "postgresql").env(t)
	for pgKey, temporalKey := range map[string]string{"TEMPORAL_DB_USER": "POSTGRES_USER", "TEMPORAL_DBNAME": "DBNAME", "TEMPORAL_VISIBILITY_DBNAME": "VISIBILITY_DBNAME"} {
		if pg[pgKey] == "" || pg[pgKey] != temporal[temporalKey] {
			t.Errorf("postgresql: %s=%q makes what the temporal service uses as %s=%q", pgKey, pg[pgKey], temporalKey, temporal[temporalKey])
		}
	}
	for _, want := range []string{
		`--set temporal_user="$TEMPORAL_DB_USER"`, `--set temporal_db="$TEMPORAL_DBNAME"`, `--set visibility_db="$TEMPORAL_VISIBILITY_DBNAME"`,
		`CREATE ROLE :"temporal_user" `,
		`CREATE DATABASE :"temporal_db" OWNER :"temporal_user"`,
		`CREATE DATABASE :"visibility_db" OWNER :"temporal_user"`,
	} {
		if !strings.Contains(initSQL, want) {
			t.Errorf("deploy/postgres/initdb does not %q (Temporal's POSTGRES_USER, DBNAME, VISIBILITY_DBNAME)", want)
		}
	}
	if temporal["DB"] != "postgres12" {
		t.Errorf("temporal: DB=%q, want postgres12", temporal["DB"])
	}
	schema := c.svc(t, "temporal-schema").env(t)
	for _, k := range []string{"POSTGRES_SEEDS", "DB_PORT", "POSTGRES_USER", "DBNAME", "VISIBILITY_DBNAME"} {
		if schema[k] != temporal[k] {
			t.Errorf("temporal-schema sets up %s=%q, the server uses %q", k, schema[k], temporal[k])
		}
	}

	// The dynamic config the server is told to watch is mounted and well formed.
	dc := temporal["DYNAMIC_CONFIG_FILE_PATH"]
	if !path.IsAbs(dc) {
		t.Errorf("temporal: DYNAMIC_CONFIG_FILE_PATH %q is not absolute", dc)
	}
	if host := c.svc(t, "temporal").hostPath(dc); host == "" {
		t.Errorf("temporal: DYNAMIC_CONFIG_FILE_PATH %s is not mounted from deploy/", dc)
	} else if data, err := os.ReadFile(host); err != nil {
		t.Error(err)
	} else {
		var values map[string][]struct {
			Value       any            `yaml:"value"`
			Constraints map[string]any `yaml:"constraints"`
		}
		if err := yaml.Unmarshal(data, &values); err != nil {
			t.Errorf("%s: %v", host, err)
		}
		for key, vs := range values {
			if len(vs) == 0 || !strings.Contains(key, ".") {
				t.Errorf("%s: %q is not a dynamic config key with values", host, key)
			}
		}
	}

	// The one-shot steps run scripts of deploy/.
	for _, name := range oneShots {
		s := c.svc(t, name)
		ep, ok := s.Entrypoint.([]any)
		if !ok || len(ep) != 2 || scalar(ep[0]) != "/bin/sh" {
			t.Errorf("%s: entrypoint %v; want [/bin/sh, SCRIPT]", name, s.Entrypoint)
			continue
		}
		script := s.hostPath(scalar(ep[1]))
		if script == "" {
			t.Errorf("%s: %s is not mounted from deploy/", name, scalar(ep[1]))
			continue
		}
		if _, err := os.Stat(script); err != nil {
			t.Error(err)
			continue
		}
		checkShell(t, script, "sh")
	}
}

func TestComposeSearchAttributes(t *testing.T) {
	c := loadCompose(t)
	spec := c.svc(t, "temporal-setup").env(t)["SEARCH_ATTRIBUTES"]
	got := map[string]string{}
	for _, f := range strings.Fields(spec) {
		name, typ, ok := strings.Cut(f, "=")
		if !ok {
			t.Fatalf("temporal-setup: SEARCH_ATTRIBUTES entry %q is not Name=Type", f)
		}
		got[name] = typ
	}
	want := map[string]string{}
	for key := range workflows.SearchAttributes.GetUntypedValues() {
		want[key.GetName()] = key.GetValueType().String()
	}
	if len(want) == 0 {
		t.Fatal("workflows.SearchAttributes is empty")
	}
	for name, typ := range want {
		if got[name] != typ {
			t.Errorf("temporal-setup: SEARCH_ATTRIBUTES registers %s as %q; workflows.SearchAttributes has %s %s", name, got[name], name, typ)
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("temporal-setup: SEARCH_ATTRIBUTES registers %s, which workflows.SearchAttributes does not have", name)
		}
	}
}

// dockerfile is the Dockerfile's instructions (continuations joined,
// comments dropped), by stage; global are the ARGs before the first FROM.
type dockerfile struct {
	global map[string]string
	stages []stage
}

type stage struct {
	from, name string
	lines      []string // "INSTRUCTION args"
}

func loadDockerfile(t *testing.T) dockerfile {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	df := dockerfile{global: map[string]string{}}
	var cur strings.Builder
	sc := bufio.NewScanner(bytes.NewReader(data))
	var lines []string
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if cont, ok := strings.CutSuffix(line, "\\"); ok {
			cur.WriteString(cont + " ")
			continue
		}
		cur.WriteString(line)
		lines = append(lines, strings.Join(strings.Fields(cur.String()), " "))
		cur.Reset()
	}
	for _, line := range lines {
		instr, args, _ := strings.Cut(line, " ")
		switch strings.ToUpper(instr) {
		case "FROM":
			f := strings.Fields(args)
			var from, name string
			for i := 0; i < len(f); i++ {
				switch {
				case strings.HasPrefix(f[i], "--"):
				case strings.EqualFold(f[i], "AS") && i+1 < len(f):
					name = f[i+1]
					i++
				default:
					from = f[i]
				}
			}
			df.stages = append(df.stages, stage{from: from, name: name})
		case "ARG":
			if len(df.stages) == 0 {
				k, v, _ := strings.Cut(args, "=")
				df.global[k] = v
				continue
			}
			fallthrough
		default:
			if len(df.stages) == 0 {
				t.Fatalf("Dockerfile: %q before the first FROM", line)
			}
			s := &df.stages[len(df.stages)-1]
			s.lines = append(s.lines, strings.ToUpper(instr)+" "+args)
		}
	}
	return df
}

// image resolves a FROM's ${ARG}s with the global ARGs' defaults.
func (df dockerfile) image(from string) string {
	return regexp.MustCompile(`\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?`).ReplaceAllStringFunc(from, func(m string) string {
		return df.global[strings.Trim(m, "${}")]
	})
}

func (s stage) find(instr string) []string {
	var out []string
	for _, l := range s.lines {
		if args, ok := strings.CutPrefix(l, instr+" "); ok {
			out = append(out, args)
		}
	}
	return out
}

func TestDockerfile(t *testing.T) {
	df := loadDockerfile(t)
	if len(df.stages) < 2 {
		t.Fatalf("Dockerfile: %d stage(s); want a build stage and a runtime stage", len(df.stages))
	}
	for _, s := range df.stages {
		checkPinned(t, "Dockerfile FROM "+s.from, df.image(s.from))
	}
	build, final := df.stages[0], df.stages[len(df.stages)-1]

	// The build stage: go.mod's Go, no cgo, cached modules and builds.
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^go (\S+)$`).FindSubmatch(gomod)
	if m == nil {
		t.Fatal("go.mod has no go line")
	}
	if repo, tag, _ := imageRef(df.image(build.from)); repo != "golang" || !strings.HasPrefix(tag, string(m[1])) {
		t.Errorf("Dockerfile: build stage FROM %s (%s); want golang:%s, go.mod's go line", build.from, df.image(build.from), m[1])
	}
	if build.name == "" {
		t.Error("Dockerfile: the build stage has no name (FROM … AS build)")
	}
	runs := strings.Join(build.find("RUN"), "\n")
	envs := strings.Join(build.find("ENV"), " ")
	if !strings.Contains(runs, "CGO_ENABLED=0 go build") && !strings.Contains(envs, "CGO_ENABLED=0") {
		t.Error("Dockerfile: go build does not run with CGO_ENABLED=0")
	}
	for _, want := range []string{"go build", "-trimpath", `-ldflags="-s -w"`, "--mount=type=cache,target=/go/pkg/mod", "--mount=type=cache,target=/root/.cache/go-build"} {
		if !strings.Contains(runs, want) {
			t.Errorf("Dockerfile: the build stage's RUNs lack %q", want)
		}
	}
	var built []string
	for _, m := range regexp.MustCompile(`\./cmd/([a-z0-9-]+)`).FindAllStringSubmatch(runs, -1) {
		built = append(built, m[1])
		if files, _ := filepath.Glob(filepath.Join(root, "cmd", m[1], "*.go")); len(files) == 0 {
			t.Errorf("Dockerfile builds ./cmd/%s, which has no Go files", m[1])
		}
	}
	if !slices.Contains(built, "worker") {
		t.Errorf("Dockerfile builds %v, not ./cmd/worker", built)
	}

	// The runtime stage: distroless, non-root, the worker as entrypoint.
	if !strings.HasPrefix(final.from, "gcr.io/distroless/static") {
		t.Errorf("Dockerfile: final stage FROM %s; want gcr.io/distroless/static…", final.from)
	}
	users := final.find("USER")
	if len(users) == 0 {
		t.Error("Dockerfile: the final stage sets no USER")
	}
	for _, u := range users {
		if name, _, _ := strings.Cut(u, ":"); name == "root" || name == "0" {
			t.Errorf("Dockerfile: final stage runs as %q", u)
		}
	}
	copied := map[string]bool{}
	for _, c := range final.find("COPY") {
		f := strings.Fields(c)
		if !strings.HasPrefix(c, "--from="+build.name+" ") {
			continue
		}
		dest := f[len(f)-1]
		for _, src := range f[1 : len(f)-1] {
			if strings.HasSuffix(dest, "/") {
				copied[path.Join(dest, path.Base(src))] = true
			} else {
				copied[dest] = true
			}
		}
	}
	if eps := final.find("ENTRYPOINT"); len(eps) != 1 || eps[0] != `["/usr/local/bin/worker"]` {
		t.Errorf("Dockerfile: ENTRYPOINT %q; want [\"/usr/local/bin/worker\"]", eps)
	}
	// What the compose file runs in this image is in it.
	c := loadCompose(t)
	for name, s := range c.Services {
		if s.Build == nil {
			continue
		}
		var bins []string
		if test := s.healthTest(); len(test) > 1 && test[0] == "CMD" {
			bins = append(bins, test[1])
		}
		if ep, ok := s.Entrypoint.([]any); ok && len(ep) > 0 {
			bins = append(bins, scalar(ep[0]))
		}
		slices.Sort(bins)
		for _, bin := range slices.Compact(bins) {
			if !copied[bin] {
				t.Errorf("%s runs %s, which the Dockerfile does not copy into the image (copies %v)", name, bin, copied)
			}
		}
	}
}

// ignored reports whether a .dockerignore pattern excludes p (or a
// directory above it).
func ignored(pattern, p string) bool {
	pattern = strings.TrimPrefix(path.Clean(pattern), "/")
	for q := p; q != "." && q != "/"; q = path.Dir(q) {
		if ok, _ := path.Match(pattern, q); ok {
			return true
		}
		if rest, ok := strings.CutPrefix(pattern, "**/"); ok {
			for s := q; ; {
				if ok, _ := path.Match(rest, s); ok {
					return true
				}
				i := strings.Index(s, "/")
				if i < 0 {
					break
				}
				s = s[i+1:]
			}
		}
	}
	return false
}

func TestDockerignore(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(root, ".dockerignore"))
	if err != nil {
		t.Fatal(err)
	}
	var patterns []string
	for _, line := range strings.Split(string(data), "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			patterns = append(patterns, line)
		}
	}
	isIgnored := func(p string) bool {
		out := false
		for _, pat := range patterns {
			if neg, ok := strings.CutPrefix(pat, "!"); ok {
				if ignored(neg, p) {
					out = false
				}
			} else if ignored(pat, p) {
				out = true
			}
		}
		return out
	}
	for _, p := range []string{".git/HEAD", ".env", ".data/sfconnect.db", ".bin/temporal", "bin/worker"} {
		if !isIgnored(p) {
			t.Errorf(".dockerignore lets %s into the build context", p)
		}
	}
	// The build's inputs, embedded migrations included, stay in it.
	need := []string{"go.mod", "go.sum", "cmd/worker/main.go", "workflows/searchattributes.go"}
	migrations, _ := filepath.Glob(filepath.Join(root, "store", "*", "migrations", "*.sql")) // each engine's
	if len(migrations) == 0 {
		t.Error("no store/*/migrations/*.sql: has the store moved?")
	}
	for _, m := range migrations {
		rel, _ := filepath.Rel(root, m)
		need = append(need, filepath.ToSlash(rel))
	}
	for _, p := range need {
		if isIgnored(p) {
			t.Errorf(".dockerignore excludes %s, which the build needs", p)
		}
	}
}

// TestHealthcheckFlags: the health checks of the services built from the
// Dockerfile run their binary with -healthcheck (the image has no shell).
// Each subtest is skipped until its command declares that flag.
func TestHealthcheckFlags(t *testing.T) {
	for _, cmd := range []string{"worker", "codec-server", "guard"} {
		t.Run(cmd, func(t *testing.T) {
			files, _ := filepath.Glob(filepath.Join(root, "cmd", cmd, "*.go"))
			for _, f := range files {
				if strings.HasSuffix(f, "_test.go") {
					continue
				}
				src, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				if bytes.Contains(src, []byte(`"healthcheck"`)) {
					return
				}
			}
			t.Skipf("cmd/%s declares no -healthcheck flag yet: the compose health check `%s -healthcheck` cannot pass", cmd, cmd)
		})
	}
}

// TestComposeConfig validates docker-compose.yml with the docker-compose
// CLI, when it is installed (`make test` installs it), with placeholder
// secrets and nothing else from the environment or an .env file.
func TestComposeConfig(t *testing.T) {
	bin, err := exec.LookPath("docker-compose")
	if err != nil {
		t.Log("docker-compose is not installed: docker-compose.yml not validated by it")
		return
	}
	empty := filepath.Join(t.TempDir(), "empty.env")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	run := func(env []string, args ...string) (string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, bin, append([]string{"--env-file", empty, "-f", filepath.Join(root, "docker-compose.yml")}, args...)...)
		cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}, env...)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	secrets := []string{"POSTGRES_PASSWORD=p", "TEMPORAL_DB_PASSWORD=t", "SFCONNECT_DB_PASSWORD=s", "SFCONNECT_CODEC_KEYS=k1:a"}
	if out, err := run(secrets, "config", "-q"); err != nil {
		t.Fatalf("docker-compose config -q: %v\n%s", err, out)
	}
	out, err := run(secrets, "config", "--services")
	if err != nil {
		t.Fatalf("docker-compose config --services: %v\n%s", err, out)
	}
	for _, name := range wantServices {
		if !slices.Contains(strings.Fields(out), name) {
			t.Errorf("docker-compose config --services: no %s in\n%s", name, out)
		}
	}
	// Without the secrets nothing starts, and the error says which is missing.
	for i, s := range secrets {
		name, _, _ := strings.Cut(s, "=")
		without := slices.Delete(slices.Clone(secrets), i, i+1)
		out, err := run(without, "config", "-q")
		if err == nil || !strings.Contains(out, name) {
			t.Errorf("docker-compose config without %s: err %v, output %q; want a refusal naming it", name, err, out)
		}
	}
}
