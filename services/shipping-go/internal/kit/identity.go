package kit

import (
	"context"
	"crypto/rand"
	"fmt"
	"regexp"

	"google.golang.org/grpc/metadata"
)

// The one place that knows how a caller's identity reaches a service (packages/kit/src/identity.ts):
// the edge gateway verifies the JWT and sets the header (after removing any copy a client sent);
// services never parse tokens themselves.
const (
	IdentityHeader  = "x-shop-user-id"
	RequestIDHeader = "x-request-id"
)

// User ids are opaque, but a header that is empty, huge or full of odd characters is not one.
var userIDPattern = regexp.MustCompile(`^[A-Za-z0-9._:@-]{1,128}$`)

type callKey struct{}

// Call is who and what a call is for: its request id and its caller (empty when there is none).
type Call struct {
	RequestID string
	UserID    string
}

// CallOf is the call ctx serves (set for every shop RPC).
func CallOf(ctx context.Context) Call {
	c, _ := ctx.Value(callKey{}).(Call)
	return c
}

func callFromMetadata(md metadata.MD) Call {
	c := Call{}
	if ids := md.Get(RequestIDHeader); len(ids) > 0 && ids[0] != "" {
		c.RequestID = ids[0]
	} else {
		c.RequestID = randomUUID()
	}
	if users := md.Get(IdentityHeader); len(users) > 0 && userIDPattern.MatchString(users[0]) {
		c.UserID = users[0]
	}
	return c
}

// ForwardHeaders is what to pass on a call made while serving ctx: the request id (so logs
// across services line up) and the caller's identity (so the callee acts for the same user).
func ForwardHeaders(ctx context.Context) metadata.MD {
	c := CallOf(ctx)
	md := metadata.MD{}
	if c.RequestID != "" {
		md.Set(RequestIDHeader, c.RequestID)
	}
	if c.UserID != "" {
		md.Set(IdentityHeader, c.UserID)
	}
	return md
}

func randomUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
