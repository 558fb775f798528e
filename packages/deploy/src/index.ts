export { renderDeploy, writeDeploy, listFiles, generatedDirs } from "./render.js";
export { composeFiles, composeSecretsDir } from "./compose.js";
export { baseFiles, secretNames } from "./k8s-base.js";
export { ingressPortName } from "./k8s-network-policies.js";
export { sidecarsFiles, meshSecret, trustSecret } from "./k8s-sidecars.js";
export { istioFiles, principal, ingressName } from "./k8s-istio.js";
export { containerSidecar, containerGateway, composePeers, kubernetesPeers, containerFiles } from "./container-envoy.js";
export type { ContainerMesh } from "./container-envoy.js";
export { implementationOf, serviceImage, serviceImageName, thirdPartyImages, webImage } from "./images.js";
export type { Implementation } from "./images.js";
export { composeWorkloads, kubernetesWorkloads, renderComposeSecrets, renderKubernetesSecrets } from "./secrets.js";
export { repoRoot } from "@shopmesh/launcher";
export { bakeFile, platforms } from "./bake.js";
export {
  brokerAdminWorkload,
  brokerHost,
  brokerPaths,
  brokerPorts,
  brokerSetupName,
  containerNatsConfig,
  deployedBroker,
  usesBroker,
} from "./broker.js";
export { brokerConfigMaps, brokerPortName } from "./k8s-broker.js";
