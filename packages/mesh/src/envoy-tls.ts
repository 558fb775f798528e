// Mutual TLS between the mesh's Envoys. Each workload presents its own certificate and checks
// the peer's against the mesh CA; a client also checks that the server is the workload it meant
// to reach (its SPIFFE ID). Certificates come from SDS files that Envoy watches, so a rotation
// (new files moved into place) needs no restart.
import { certificateSds, trustSds, type MeshFiles } from "./mesh-files.js";
import { certificateSecretName, trustSecretName } from "./pki.js";

type Json = Record<string, unknown>;

const tlsType = "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3";

function sdsFile(name: string, path: string): Json {
  return { name, sds_config: { path_config_source: { path }, resource_api_version: "V3" } };
}

function commonTls(files: MeshFiles, workload: string, extra: Json = {}): Json {
  return {
    tls_params: { tls_minimum_protocol_version: "TLSv1_3", tls_maximum_protocol_version: "TLSv1_3" },
    tls_certificate_sds_secret_configs: [sdsFile(certificateSecretName, certificateSds(files, workload))],
    alpn_protocols: ["h2"],
    ...extra,
  };
}

/** A listener's side: present `workload`'s certificate; demand one signed by the mesh CA. */
export function meshServerTls(files: MeshFiles, workload: string): Json {
  return {
    name: "envoy.transport_sockets.tls",
    typed_config: {
      "@type": `${tlsType}.DownstreamTlsContext`,
      require_client_certificate: true,
      common_tls_context: commonTls(files, workload, { validation_context_sds_secret_config: sdsFile(trustSecretName, trustSds(files)) }),
    },
  };
}

/** The gateway's TLS port for people: the gateway's certificate, no client certificate asked. */
export function edgeServerTls(files: MeshFiles): Json {
  return {
    name: "envoy.transport_sockets.tls",
    typed_config: {
      "@type": `${tlsType}.DownstreamTlsContext`,
      common_tls_context: { ...commonTls(files, "gateway"), alpn_protocols: ["h2", "http/1.1"] },
    },
  };
}

/** A cluster's side: present `workload`'s certificate; accept only `peerIdentity`'s. */
export function meshClientTls(files: MeshFiles, workload: string, peerIdentity: string): Json {
  return {
    name: "envoy.transport_sockets.tls",
    typed_config: {
      "@type": `${tlsType}.UpstreamTlsContext`,
      common_tls_context: commonTls(files, workload, {
        combined_validation_context: {
          default_validation_context: { match_typed_subject_alt_names: [{ san_type: "URI", matcher: { exact: peerIdentity } }] },
          validation_context_sds_secret_config: sdsFile(trustSecretName, trustSds(files)),
        },
      }),
    },
  };
}
