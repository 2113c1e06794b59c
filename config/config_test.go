package config

import (
	"strings"
	"testing"
)

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

// The worker's memory settings: defaults, values, and a clear refusal of a
// value that is not a positive whole number.
func TestMemorySettings(t *testing.T) {
	c, err := LoadFrom(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.MemoryLimitMB != 200 || c.GCPercent != DefaultGCPercent {
		t.Errorf("defaults: limit %d MB, GC %d%%", c.MemoryLimitMB, c.GCPercent)
	}
	c, err = LoadFrom(env(map[string]string{"SFCONNECT_MEMORY_LIMIT_MB": "512", "SFCONNECT_GC_PERCENT": "100"}))
	if err != nil || c.MemoryLimitMB != 512 || c.GCPercent != 100 {
		t.Errorf("set: limit %d MB, GC %d%%, %v", c.MemoryLimitMB, c.GCPercent, err)
	}
	for _, bad := range []string{"0", "-5", "lots"} {
		_, err := LoadFrom(env(map[string]string{"SFCONNECT_GC_PERCENT": bad}))
		if err == nil || !strings.Contains(err.Error(), "SFCONNECT_GC_PERCENT") {
			t.Errorf("SFCONNECT_GC_PERCENT=%s: %v", bad, err)
		}
	}
}
