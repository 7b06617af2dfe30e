package dev.skein.server;

import dev.skein.agent.host.ControllerClient;
import dev.skein.agent.metadata.MetadataAnswer;
import dev.skein.agent.metadata.MetadataProxies;
import dev.skein.api.neutron.InstanceMetadataApi;
import dev.skein.control.HostPlanService;
import dev.skein.plan.HostPlan;
import dev.skein.policy.RequestContext;
import dev.skein.service.AgentService;
import dev.skein.service.InstanceMetadataService;

import java.util.LinkedHashMap;
import java.util.Map;

/** The controller as the agent inside all-in-one sees it: the same services the HTTP endpoints call. */
final class LocalControllerClient implements ControllerClient {
    private final AgentService agents;
    private final HostPlanService plans;
    private final InstanceMetadataService metadata;

    LocalControllerClient(AgentService agents, HostPlanService plans, InstanceMetadataService metadata) {
        this.agents = agents;
        this.plans = plans;
        this.metadata = metadata;
    }

    @Override
    public String register(Registration r) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("host", r.host());
        body.put("local_ip", r.localIp());
        body.put("bridge_mappings", new LinkedHashMap<String, Object>(r.bridgeMappings()));
        body.put("configurations", r.configurations());
        return agents.register(RequestContext.system(), body).agent().id();
    }

    @Override
    public boolean heartbeat(String agentId) { return agents.heartbeat(RequestContext.system(), agentId); }

    @Override
    public HostPlan fetchPlan(String host) { return plans.plan(host); }

    @Override
    public void reportStatus(String host, long realisedRevision, Map<String, String> portStatuses) {
        agents.reportStatus(RequestContext.system(), host, realisedRevision, portStatuses);
    }

    @Override
    public MetadataAnswer metadata(MetadataProxies.Origin origin, String clientAddress, String path) {
        return metadata.serve(RequestContext.system(), origin.networkId(), origin.routerId(), clientAddress, path)
                .map(InstanceMetadataApi::render)
                .map(r -> new MetadataAnswer(200, r.contentType(), r.body()))
                .orElseGet(() -> new MetadataAnswer(404, "text/plain", new byte[0]));
    }
}
