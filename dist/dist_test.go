package dist

import (
	"bufio"
	"debug/elf"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"annalist/internal/config"
)

// stateDir is where both the unit and the container keep the archive.
const stateDir = "/var/lib/annalist"

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// dockerBuildLine is the Dockerfile's `RUN … go build …` line, as written.
func dockerBuildLine(t *testing.T) string {
	t.Helper()
	for _, l := range dockerfile(t) {
		if strings.HasPrefix(l, "RUN ") && strings.Contains(l, " go build ") {
			return strings.TrimPrefix(l, "RUN ")
		}
	}
	t.Fatal("Dockerfile: no RUN … go build line")
	return ""
}

// dockerfile returns the Dockerfile's instructions, comments dropped.
func dockerfile(t *testing.T) []string {
	t.Helper()
	data, err := os.ReadFile("../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range strings.Split(string(data), "\n") {
		l = strings.TrimSpace(l)
		if l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return out
}

// staticBinary builds annalist with the Dockerfile's own build line (its
// environment and flags, the output moved to a temporary directory), from
// the repository root.
func staticBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	line := dockerBuildLine(t)
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "annalist-dist-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "annalist")
		// Run by a shell, as RUN does; only the output path differs.
		if !strings.Contains(line, " -o /out/annalist ") {
			buildErr = errors.New("the build line does not write -o /out/annalist")
			binPath = line
			return
		}
		cmd := exec.Command("sh", "-c", strings.Replace(line, " -o /out/annalist ", " -o '"+binPath+"' ", 1))
		cmd.Dir = ".."
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = err
			binPath = line + "\n" + string(out)
		}
	})
	if buildErr != nil {
		t.Fatalf("build as the Dockerfile does: %v\n%s", buildErr, binPath)
	}
	return binPath
}

// unit parses dist/annalist.service: section -> key -> values (a key may
// repeat).
func unit(t *testing.T) map[string]map[string][]string {
	t.Helper()
	f, err := os.Open("annalist.service")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]map[string][]string{}
	section := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		switch {
		case l == "" || strings.HasPrefix(l, "#"):
		case strings.HasPrefix(l, "["):
			section = strings.Trim(l, "[]")
			out[section] = map[string][]string{}
		default:
			k, v, _ := strings.Cut(l, "=")
			out[section][k] = append(out[section][k], v)
		}
	}
	return out
}

// TestSystemdUnitVerifies runs `systemd-analyze verify` on the unit, with
// ExecStart pointing at a freshly built binary (verify checks that the
// executable exists), and wants no complaint at all: verify exits 0 even
// on a value it ignores ("Failed to parse protect system value").
func TestSystemdUnitVerifies(t *testing.T) {
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze not installed")
	}
	bin := staticBinary(t)
	data, err := os.ReadFile("annalist.service")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "ExecStart=/usr/local/bin/annalist ") {
		t.Fatal("ExecStart does not run /usr/local/bin/annalist, as the README installs it")
	}
	path := filepath.Join(t.TempDir(), "annalist.service")
	if err := os.WriteFile(path, []byte(strings.ReplaceAll(string(data), "/usr/local/bin/annalist", bin)), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(analyze, "verify", path).CombinedOutput()
	if err != nil || len(strings.TrimSpace(string(out))) > 0 {
		t.Fatalf("systemd-analyze verify: %v\n%s", err, out)
	}
	// systemd's own exposure score of the sandbox (0 = fully confined,
	// 10 = none); 2.0 and under is "OK".
	out, err = exec.Command(analyze, "security", "--offline=yes", "--threshold=20", path).CombinedOutput()
	if err != nil && strings.Contains(string(out), "unrecognized option") {
		t.Logf("systemd-analyze security --offline needs systemd 250 or later: not checked\n%s", out)
	} else if err != nil {
		t.Fatalf("systemd-analyze security: exposure over 2.0: %v\n%s", err, out)
	}
}

// TestSystemdUnitSandbox checks the properties the README promises of the
// unit: its own user, a read-only system but the archive, a reload that
// sends SIGHUP (which the daemon handles: TestDaemonPollsReloadsAndStops in
// internal/cli), and the configuration the unit names.
func TestSystemdUnitSandbox(t *testing.T) {
	svc := unit(t)["Service"]
	want := map[string]string{
		"DynamicUser":     "yes",
		"ProtectSystem":   "strict",
		"StateDirectory":  "annalist",
		"ReadWritePaths":  stateDir,
		"NoNewPrivileges": "yes",
		"ExecReload":      "/bin/kill -HUP $MAINPID",
		"ProtectHome":     "yes",
		"PrivateTmp":      "yes",
	}
	for k, v := range want {
		if got := svc[k]; len(got) != 1 || got[0] != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	exec := svc["ExecStart"]
	if len(exec) != 1 || !strings.Contains(exec[0], " daemon ") || !strings.Contains(exec[0], "--config /etc/annalist/config.yaml") {
		t.Fatalf("ExecStart = %q, want the daemon on /etc/annalist/config.yaml", exec)
	}
	cfg, err := config.Load("config.service.yaml")
	if err != nil {
		t.Fatalf("dist/config.service.yaml: %v", err)
	}
	if cfg.DataDir != stateDir {
		t.Errorf("config.service.yaml data_dir = %s, want the unit's StateDirectory %s", cfg.DataDir, stateDir)
	}
}

// TestDockerfile checks the image the Dockerfile describes: a build stage
// and a runtime stage, a non-root user, the archive as a volume matching
// the baked-in configuration's data_dir, and a binary that, built with
// the Dockerfile's own line, is static (the runtime image has no libc)
// and runs on that configuration. `docker build` itself is not run here.
func TestDockerfile(t *testing.T) {
	var froms, users, volumes []string
	copiedConfig := false
	for _, l := range dockerfile(t) {
		instr, rest, _ := strings.Cut(l, " ")
		switch strings.ToUpper(instr) {
		case "FROM":
			froms = append(froms, rest)
		case "USER":
			users = append(users, rest)
		case "VOLUME":
			var v []string
			if err := json.Unmarshal([]byte(rest), &v); err != nil {
				v = strings.Fields(rest)
			}
			volumes = append(volumes, v...)
		case "COPY":
			if rest == "dist/config.container.yaml /etc/annalist/config.yaml" {
				copiedConfig = true
			}
		}
	}
	if len(froms) < 2 || !strings.HasSuffix(froms[0], " AS build") {
		t.Errorf("FROM lines %q: want a build stage named build and a runtime stage", froms)
	}
	if len(users) == 0 {
		t.Error("no USER: the runtime stage would run as root")
	} else if u := users[len(users)-1]; strings.HasPrefix(u, "root") || strings.HasPrefix(u, "0") {
		t.Errorf("USER %s: want a non-root user", u)
	}
	if len(volumes) != 1 || volumes[0] != stateDir {
		t.Errorf("VOLUME %q, want [%s]", volumes, stateDir)
	}
	if !copiedConfig {
		t.Error("the runtime stage does not copy dist/config.container.yaml to /etc/annalist/config.yaml")
	}
	if line := dockerBuildLine(t); !strings.HasPrefix(line, "CGO_ENABLED=0 ") {
		t.Errorf("build line %q: want CGO_ENABLED=0 (the runtime image has no libc)", line)
	}

	cfg, err := config.Load("config.container.yaml")
	if err != nil {
		t.Fatalf("dist/config.container.yaml: %v", err)
	}
	if cfg.DataDir != stateDir {
		t.Errorf("config.container.yaml data_dir = %s, want the volume %s", cfg.DataDir, stateDir)
	}
	if !strings.HasPrefix(cfg.Web.Listen, "0.0.0.0:") {
		t.Errorf("config.container.yaml web.listen = %s: unreachable from outside the container", cfg.Web.Listen)
	}

	bin := staticBinary(t)
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Fatal("the binary is dynamically linked: it would not start on distroless/static")
		}
	}
	out, err := exec.Command(bin, "--config", "config.container.yaml", "sources", "--json").CombinedOutput()
	if err != nil {
		t.Fatalf("annalist sources on the container's config: %v\n%s", err, out)
	}
	if strings.TrimSpace(string(out)) != "[]" {
		t.Errorf("annalist sources on the container's config: %s, want [] (no sources baked in)", out)
	}
}
