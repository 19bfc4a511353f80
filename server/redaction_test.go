package server

import (
	"encoding/base64"
	"log/slog"
	"strings"
	"testing"
	"time"

	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

// TestLogsHoldNoSecretsOnNewPaths extends TestLogsHoldNoSecretsOrPersonalData
// to the paths of authentication, refused and undecodable messages,
// recovered panics and shutdown, at every log level: the logs never hold
// the auth token (right or wrong), api keys, Authorization headers or trait
// values, and neither do the answers.
func TestLogsHoldNoSecretsOnNewPaths(t *testing.T) {
	t.Parallel()
	const (
		apiKey     = "api-key-7d1c0f"
		wrongToken = "wrong-token-88e1"
		email      = "private.person@example.com"
	)
	secrets := []string{testToken, wrongToken, apiKey, email,
		base64.StdEncoding.EncodeToString([]byte("site-1:" + apiKey)), "Bearer " + testToken}
	for _, level := range []slog.Level{slog.LevelDebug, slog.LevelInfo, slog.LevelWarn, slog.LevelError} {
		t.Run(level.String(), func(t *testing.T) {
			t.Parallel()
			var logs lockedBuffer
			hook := func(id uint64) {
				if id == 666 {
					panic("job for " + email + " with key " + apiKey)
				}
			}
			live := startLive(t, Config{
				Logger:    slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: level})),
				AuthToken: testToken,
				jobHook:   hook,
			}, "tcp")
			conn := live.conn(t)
			client := ciotransformerv1.NewTransformerServiceClient(conn)
			dest := &ciotransformerv1.Destination{SiteId: "site-1", ApiKey: apiKey}
			event := `{"type":"identify","userId":"u1","traits":{"email":"` + email + `"}}`
			var answers []string
			note := func(err error) {
				if err != nil {
					answers = append(answers, err.Error())
				}
			}
			authed := metadata.AppendToOutgoingContext(testContext(t), "authorization", "Bearer "+testToken)
			wrong := metadata.AppendToOutgoingContext(testContext(t), "authorization", "Bearer "+wrongToken)

			resp, err := client.Transform(authed, &ciotransformerv1.TransformRequest{Destination: dest, Job: rawJob(1, event)})
			if err != nil || resp.GetResult().GetRequest() == nil {
				t.Fatalf("authenticated call: %v %v", resp, err)
			}
			secrets := append(secrets, resp.GetResult().GetRequest().GetHeaders()["Authorization"])
			_, err = client.Transform(wrong, &ciotransformerv1.TransformRequest{Destination: dest, Job: rawJob(1, event)})
			note(err)
			_, err = client.Transform(testContext(t), &ciotransformerv1.TransformRequest{Destination: dest, Job: rawJob(1, event)})
			note(err)
			// Refused envelopes carrying the secrets.
			_, err = client.Transform(authed, &ciotransformerv1.TransformRequest{Destination: dest, Job: &ciotransformerv1.Job{JobId: 1}})
			note(err)
			stream, err := client.TransformBatch(authed)
			if err != nil {
				t.Fatal(err)
			}
			if err := stream.Send(&ciotransformerv1.TransformBatchRequest{Destination: dest, Jobs: []*ciotransformerv1.Job{rawJob(1, event), rawJob(1, event)}}); err != nil {
				t.Fatal(err)
			}
			refusal, err := stream.Recv()
			note(err)
			note(status.ErrorProto(refusal.GetError()))
			// An undecodable message holding the secrets: a valid request
			// with a truncated last field.
			valid, err := proto.Marshal(&ciotransformerv1.TransformRequest{Destination: dest, Job: rawJob(1, event)})
			if err != nil {
				t.Fatal(err)
			}
			var out ciotransformerv1.TransformResponse
			note(conn.Invoke(authed, ciotransformerv1.TransformerService_Transform_FullMethodName, rawMessage(valid[:len(valid)-1]), &out, grpc.ForceCodecV2(rawCodec{})))
			// A recovered panic whose value holds the secrets: a per-job
			// error.
			resp, err = client.Transform(authed, &ciotransformerv1.TransformRequest{Destination: dest, Job: rawJob(666, event)})
			note(err)
			if msg := resp.GetResult().GetError().GetMessage(); msg != "" {
				answers = append(answers, msg)
			}
			// A stream open at shutdown.
			open, err := client.TransformBatch(authed)
			if err != nil {
				t.Fatal(err)
			}
			collect(t, open, &ciotransformerv1.TransformBatchRequest{Destination: dest, Jobs: []*ciotransformerv1.Job{rawJob(1, event)}})
			live.srv.Shutdown(testContext(t))
			_, err = open.Recv()
			note(err)

			if len(answers) < 7 {
				t.Fatalf("only %d calls failed: %q", len(answers), answers)
			}
			// Log lines are written when calls end; refused calls have
			// none.
			deadline := time.Now().Add(10 * time.Second)
			for strings.Count(logs.String(), "finished call") < 6 && level <= slog.LevelInfo && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond)
			}
			text := logs.String()
			if level <= slog.LevelError && !strings.Contains(text, "recovered from panic") {
				t.Errorf("no log of the recovered panic:\n%s", text)
			}
			for _, s := range secrets {
				if strings.Contains(text, s) {
					t.Errorf("logs hold %q:\n%s", s, text)
				}
				for _, a := range answers {
					if strings.Contains(a, s) {
						t.Errorf("answer %q holds %q", a, s)
					}
				}
			}
		})
	}
}
