// Objects `up` applies (with kubectl, admin): CoreDNS RBAC as kubeadm has it, the kube-dns Service with its
// Endpoints/EndpointSlice pointing at the CoreDNS node IPs, and a small Deployment the real scheduler binds
// onto the worker Nodes (requests for the N+1 headroom probe). deploy/rbac.yaml is applied beside these.
import { DNS_SVC_IP, type Profile, PORTS, dnsNodes } from './topology';

export function labManifests(profile: Profile): Record<string, unknown> {
  const ips = dnsNodes(profile).map((n) => ({ ip: n.ip, node: n.name }));
  const labels = { 'k8s-app': 'kube-dns', 'kubernetes.io/cluster-service': 'true', 'kubernetes.io/name': 'CoreDNS' };
  const ports = [
    { name: 'dns', port: PORTS.dns, protocol: 'UDP' },
    { name: 'dns-tcp', port: PORTS.dns, protocol: 'TCP' },
    { name: 'metrics', port: PORTS.dnsMetrics, protocol: 'TCP' },
  ];
  const items: Array<Record<string, unknown>> = [
    {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'system:coredns' },
      rules: [
        { apiGroups: [''], resources: ['endpoints', 'services', 'pods', 'namespaces'], verbs: ['list', 'watch'] },
        { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'watch'] },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'system:coredns' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:coredns' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'system:coredns' }],
    },
    {
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'kube-dns', namespace: 'kube-system', labels },
      spec: { clusterIP: DNS_SVC_IP, ports: ports.map((p) => ({ ...p, targetPort: p.port })) },
    },
    {
      apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'kube-dns', namespace: 'kube-system', labels: { ...labels, 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
      subsets: [{ addresses: ips.map((a) => ({ ip: a.ip, nodeName: a.node })), ports }],
    },
    {
      apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
      metadata: { name: 'kube-dns-qlab', namespace: 'kube-system', labels: { ...labels, 'kubernetes.io/service-name': 'kube-dns', 'endpointslice.kubernetes.io/managed-by': 'qlab' } },
      addressType: 'IPv4',
      endpoints: ips.map((a) => ({ addresses: [a.ip], nodeName: a.node, conditions: { ready: true, serving: true, terminating: false } })),
      ports,
    },
    {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'headroom-load', namespace: 'default', labels: { app: 'headroom-load' } },
      spec: {
        replicas: 6, selector: { matchLabels: { app: 'headroom-load' } },
        template: {
          metadata: { labels: { app: 'headroom-load' } },
          spec: { automountServiceAccountToken: false, containers: [{ name: 'load', image: 'registry.k8s.io/pause:3.10', resources: { requests: { cpu: '500m', memory: '512Mi' } } }] },
        },
      },
    },
  ];
  return { apiVersion: 'v1', kind: 'List', items };
}
