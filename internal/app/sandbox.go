package app

import (
	"context"
	"crypto/tls"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/cloudflare-purge/cloudflare-purge/internal/config"
	"github.com/cloudflare-purge/cloudflare-purge/internal/emulator"
	"github.com/cloudflare-purge/cloudflare-purge/internal/verify"
)

// sandbox is the built-in emulator a --sandbox run purges against: its API
// on a loopback port, its edge in-process, where every address a
// verification dials leads (the URL's host, Staging's edge IPs): port 443
// with TLS for the sandbox zone's names, any other port plain.
type sandbox struct {
	api        *httptest.Server
	edge       *http.Server
	tls, plain *emulator.PipeListener
	verify     verify.Options
}

func startSandbox(origin emulator.Origin) (*sandbox, error) {
	em := emulator.New(emulator.Options{Origin: origin})
	cert, roots, err := emulator.EdgeCertificate()
	if err != nil {
		return nil, err
	}
	sb := &sandbox{api: httptest.NewServer(em), tls: emulator.NewPipeListener(), plain: emulator.NewPipeListener()}
	// A verification that gives up on a connection is reported by the
	// verifier; the server need not log its side of it.
	sb.edge = &http.Server{Handler: em.Edge(), ReadHeaderTimeout: 10 * time.Second, ErrorLog: log.New(io.Discard, "", 0)}
	// Serve returns when close closes the server.
	go func() {
		_ = sb.edge.Serve(tls.NewListener(sb.tls, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}))
	}()
	go func() { _ = sb.edge.Serve(sb.plain) }()
	dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		if _, port, _ := net.SplitHostPort(addr); port == "443" {
			return sb.tls.DialContext(ctx, network, addr)
		}
		return sb.plain.DialContext(ctx, network, addr)
	}
	sb.verify = verify.Options{DialContext: dial, TLSConfig: &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}}
	return sb, nil
}

func (sb *sandbox) close() {
	sb.edge.Close()
	sb.tls.Close()
	sb.plain.Close()
	sb.api.Close()
}

// sandboxIgnored names what the user gave that a sandbox run ignores (see
// sandboxSource): credentials and the API URL, as flags or environment
// variables, and the zone and account environment variables. Never values.
func sandboxIgnored(src config.Source) []string {
	given := func(v string) bool { return strings.TrimSpace(v) != "" }
	var flags, vars []string
	for _, in := range config.Inputs {
		switch in.Name {
		case config.InputAPIToken, config.InputAPIKey, config.InputAPIEmail, config.InputAPIURL:
			if given(src.Input(in.Name)) {
				flags = append(flags, "--"+in.Name)
				continue
			}
		case config.InputZone, config.InputAccountID:
			if given(src.Input(in.Name)) {
				continue // the flag is kept
			}
		default:
			continue
		}
		if in.Env != "" && given(src.Getenv(in.Env)) {
			vars = append(vars, in.Env)
		}
	}
	return append(flags, vars...)
}

// sandboxSource points a run at the emulator with its example zone and
// token, whatever credentials the environment holds.
func sandboxSource(src config.Source, url string) config.Source {
	input, getenv := src.Input, src.Getenv
	src.Input = func(name string) string {
		switch name {
		case config.InputAPIToken:
			return emulator.SandboxToken
		case config.InputAPIKey, config.InputAPIEmail:
			return ""
		case config.InputAPIURL:
			return url
		case config.InputZone:
			if z := strings.TrimSpace(input(name)); z != "" {
				return z
			}
			return emulator.ExampleZoneName
		}
		return input(name)
	}
	src.Getenv = func(k string) string {
		if strings.HasPrefix(k, "CLOUDFLARE_") {
			return "" // never a real account from the sandbox
		}
		return getenv(k)
	}
	return src
}
