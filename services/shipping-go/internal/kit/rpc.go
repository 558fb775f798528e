package kit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// internalErrorMessage is what a client sees for any error the service did not expect.
const internalErrorMessage = "internal error"

// rpcInterceptor ends every call of a shop service with one log line (method, code, duration,
// request id, user, trace) and one metric, as packages/kit/src/rpc-log.ts does. An unexpected
// error (not a gRPC status, or a panic) reaches the client as INTERNAL "internal error"; its cause
// is logged. grpc.health.v1 and reflection are the server's own and not logged, as in the kit.
func rpcInterceptor(logger *slog.Logger, metrics *Metrics) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (resp any, err error) {
		if !strings.HasPrefix(info.FullMethod, "/shop.") {
			return handler(ctx, req)
		}
		started := time.Now()
		md, _ := metadata.FromIncomingContext(ctx)
		call := callFromMetadata(md)
		ctx = context.WithValue(ctx, callKey{}, call)
		func() {
			defer func() {
				if p := recover(); p != nil {
					err = fmt.Errorf("panic: %v", p)
				}
			}()
			resp, err = handler(ctx, req)
		}()
		code, unexpected := outcome(ctx, err)
		seconds := time.Since(started).Seconds()
		if metrics != nil {
			metrics.observe(info.FullMethod, code, seconds)
		}
		attrs := []any{"method", info.FullMethod, "code", codeName(code), "duration_ms", since(started), "request_id", call.RequestID}
		if call.UserID != "" {
			attrs = append(attrs, "user_id", call.UserID)
		}
		if unexpected {
			logger.ErrorContext(ctx, "rpc failed unexpectedly", append(attrs, errField(err))...)
			return nil, status.Error(codes.Internal, internalErrorMessage)
		}
		logger.InfoContext(ctx, "rpc", attrs...)
		if err != nil && ctx.Err() != nil {
			return nil, status.Error(code, ctx.Err().Error())
		}
		return resp, err
	}
}

// outcome is the code a call ended with and whether its error was unexpected (INTERNAL, UNKNOWN).
func outcome(ctx context.Context, err error) (codes.Code, bool) {
	if err == nil {
		return codes.OK, false
	}
	// The client gave up (or its deadline passed): that, not what the handler made of it, is the end.
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return codes.DeadlineExceeded, false
	case errors.Is(ctx.Err(), context.Canceled):
		return codes.Canceled, false
	}
	st, ok := status.FromError(err)
	if !ok || st.Code() == codes.Internal || st.Code() == codes.Unknown {
		return codes.Internal, true
	}
	return st.Code(), false
}

// codeName is the gRPC name of a code ("INVALID_ARGUMENT"), as logs and grpcurl print it.
func codeName(c codes.Code) string {
	if name, ok := codeNames[c]; ok {
		return name
	}
	return fmt.Sprintf("CODE_%d", c)
}

var codeNames = map[codes.Code]string{
	codes.OK: "OK", codes.Canceled: "CANCELLED", codes.Unknown: "UNKNOWN", codes.InvalidArgument: "INVALID_ARGUMENT",
	codes.DeadlineExceeded: "DEADLINE_EXCEEDED", codes.NotFound: "NOT_FOUND", codes.AlreadyExists: "ALREADY_EXISTS",
	codes.PermissionDenied: "PERMISSION_DENIED", codes.ResourceExhausted: "RESOURCE_EXHAUSTED",
	codes.FailedPrecondition: "FAILED_PRECONDITION", codes.Aborted: "ABORTED", codes.OutOfRange: "OUT_OF_RANGE",
	codes.Unimplemented: "UNIMPLEMENTED", codes.Internal: "INTERNAL", codes.Unavailable: "UNAVAILABLE",
	codes.DataLoss: "DATA_LOSS", codes.Unauthenticated: "UNAUTHENTICATED",
}
