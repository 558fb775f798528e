package kit

import (
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/grpc/reflection"
	reflectionv1 "google.golang.org/grpc/reflection/grpc_reflection_v1"
	reflectionv1alpha "google.golang.org/grpc/reflection/grpc_reflection_v1alpha"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
)

// registerReflection answers server reflection for every shop contract the binary links (the
// main package imports them all), not only the services this server serves: as with every shop
// service, grpcurl can list and describe the whole shop through any one of them.
func registerReflection(s *grpc.Server) {
	options := reflection.ServerOptions{Services: allServices{s}}
	reflectionv1.RegisterServerReflectionServer(s, reflection.NewServerV1(options))
	reflectionv1alpha.RegisterServerReflectionServer(s, reflection.NewServer(options))
}

// allServices lists the server's own services and every shop service in the registry.
type allServices struct{ server *grpc.Server }

func (a allServices) GetServiceInfo() map[string]grpc.ServiceInfo {
	services := a.server.GetServiceInfo()
	protoregistry.GlobalFiles.RangeFiles(func(file protoreflect.FileDescriptor) bool {
		if strings.HasPrefix(string(file.Package()), "shop.") {
			for i := range file.Services().Len() {
				name := string(file.Services().Get(i).FullName())
				if _, ok := services[name]; !ok {
					services[name] = grpc.ServiceInfo{}
				}
			}
		}
		return true
	})
	return services
}
