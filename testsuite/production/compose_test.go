package production

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"
)

// composeFile is what this package reads of docker-compose.yml: the
// environment, bind mounts and entrypoints of its services. The topology
// started here takes them from there, and changes only what differs on one
// host without Docker (addresses, names of its own, ports), so that the
// test runs what compose runs.
type composeFile struct {
	Services map[string]composeService `yaml:"services"`
}

type composeService struct {
	Image       string            `yaml:"image"`
	Environment map[string]string `yaml:"environment"`
	Volumes     []string          `yaml:"volumes"`
	Entrypoint  []string          `yaml:"entrypoint"`
}

func loadCompose(root string) (composeFile, error) {
	var c composeFile
	data, err := os.ReadFile(filepath.Join(root, "docker-compose.yml"))
	if err != nil {
		return c, fmt.Errorf("read docker-compose.yml: %w", err)
	}
	if err := yaml.Unmarshal(data, &c); err != nil {
		return c, fmt.Errorf("docker-compose.yml (the environment in map form, volumes in short form): %w", err)
	}
	return c, nil
}

func (c composeFile) service(name string) (composeService, error) {
	s, ok := c.Services[name]
	if !ok {
		return s, fmt.Errorf("docker-compose.yml has no service %q", name)
	}
	return s, nil
}

var composeVariable = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}`)

// env is the service's environment with compose's ${VAR…} resolved from
// vars, as compose resolves them from the host's environment: a variable
// vars lacks gets its default (${X:-d}) or nothing.
func (s composeService) env(vars map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range s.Environment {
		out[k] = composeVariable.ReplaceAllStringFunc(v, func(m string) string {
			sub := composeVariable.FindStringSubmatch(m)
			if x, ok := vars[sub[1]]; ok {
				return x
			}
			if sub[2] == ":-" || sub[2] == "-" {
				return sub[3]
			}
			return ""
		})
	}
	return out
}

// hostPath is the repository file mounted at a path of the service's
// container.
func (s composeService) hostPath(root, containerPath string) (string, error) {
	for _, v := range s.Volumes {
		parts := strings.Split(v, ":")
		if len(parts) < 2 || !strings.HasPrefix(parts[0], "./") {
			continue
		}
		if containerPath == parts[1] {
			return filepath.Join(root, parts[0]), nil
		}
		if rel, ok := strings.CutPrefix(containerPath, parts[1]+"/"); ok {
			return filepath.Join(root, parts[0], rel), nil
		}
	}
	return "", fmt.Errorf("%s is not mounted from the repository", containerPath)
}

// script is the deploy/ script a one-shot service runs ([/bin/sh, SCRIPT]).
func (s composeService) script(root string) (string, error) {
	if len(s.Entrypoint) != 2 || s.Entrypoint[0] != "/bin/sh" {
		return "", fmt.Errorf("entrypoint %v is not [/bin/sh, SCRIPT]", s.Entrypoint)
	}
	return s.hostPath(root, s.Entrypoint[1])
}

// environ turns an environment map into exec's form, with the host's PATH
// and HOME (what the scripts' tools need) unless the map sets them.
func environ(env map[string]string) []string {
	out := []string{"HOME=" + os.Getenv("HOME"), "PATH=" + os.Getenv("PATH")}
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	return out
}
