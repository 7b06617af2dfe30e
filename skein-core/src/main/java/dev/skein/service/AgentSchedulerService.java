package dev.skein.service;

import dev.skein.attr.Attributes;
import dev.skein.error.NeutronException;
import dev.skein.l3.L3Errors;
import dev.skein.model.Agent;
import dev.skein.model.Network;
import dev.skein.model.Port;
import dev.skein.model.Router;
import dev.skein.policy.Policy;
import dev.skein.policy.RequestContext;
import dev.skein.store.Store;
import dev.skein.store.Tx;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Neutron's DHCP and L3 agent scheduler extensions over Skein's placement: which agent runs which network's DHCP
 * server and which router, and the operator's hand on it. Placing by hand is binding the ports; removing is
 * unbinding them (a DHCP port keeps its addresses for whoever takes the network next). Admin only, as in
 * Neutron's policy.
 */
public final class AgentSchedulerService {
    private final Store store;
    private final NetworkNodes nodes;
    private final DhcpPorts dhcp;
    private final RouterPlacement routers;

    public AgentSchedulerService(Store store, NetworkNodes nodes, DhcpPorts dhcp, RouterPlacement routers) {
        this.store = store;
        this.nodes = nodes;
        this.dhcp = dhcp;
        this.routers = routers;
    }

    /** The networks whose DHCP server runs on the agent's host. */
    public List<Network> dhcpNetworks(RequestContext ctx, String agentId) {
        Policy.requireAdmin(ctx, "get_dhcp-networks");
        return store.read(tx -> {
            Agent agent = agent(tx, agentId);
            List<Network> out = new ArrayList<>();
            for (String id : tx.placements().dhcpNetworksOn(List.of(agent.host()))) tx.networks().get(id).ifPresent(out::add);
            return out;
        });
    }

    /** The agents on the hosts that run the network's DHCP server. */
    public List<AgentService.Status> dhcpAgents(RequestContext ctx, String networkId) {
        Policy.requireAdmin(ctx, "get_dhcp-agents");
        return store.read(tx -> {
            tx.networks().get(networkId).orElseThrow(() -> NeutronException.networkNotFound(networkId));
            return agentsOn(tx, hosts(tx.placements().dhcpPorts(networkId)));
        });
    }

    /** Places the network's DHCP server on the agent's host (POST /v2.0/agents/{id}/dhcp-networks). */
    public void addDhcpNetwork(RequestContext ctx, String agentId, Map<String, Object> body) {
        Policy.requireAdmin(ctx, "create_dhcp-network");
        String networkId = requiredId(body, "network_id");
        store.write(tx -> {
            Network net = tx.networks().lock(networkId).orElseThrow(() -> NeutronException.networkNotFound(networkId));
            NetworkNodes.Census c = nodes.census(tx);
            Agent agent = fitAgent(tx, c, agentId, "InvalidDHCPAgent", "DHCP servers");
            Set<String> serving = nodes.servingHosts(c);
            for (Port p : dhcp.dhcpPorts(tx, networkId)) {
                if (p.hostId().equals(agent.host()) || serving.contains(p.hostId())) {
                    throw networkHosted(networkId, c.onHost(p.hostId()).map(Agent::id).orElse(p.hostId()));
                }
            }
            if (!dhcp.place(tx, net, agent.host())) {
                throw NeutronException.conflict("NetworkNotDhcpEnabled", "Network " + networkId
                        + " has no DHCP-enabled subnet with a free address, so it has no DHCP server to place.");
            }
            return null;
        });
    }

    /** Takes the network's DHCP server off the agent's host (DELETE /v2.0/agents/{id}/dhcp-networks/{network_id}). */
    public void removeDhcpNetwork(RequestContext ctx, String agentId, String networkId) {
        Policy.requireAdmin(ctx, "delete_dhcp-network");
        store.write(tx -> {
            Agent agent = agent(tx, agentId);
            tx.networks().lock(networkId).orElseThrow(() -> NeutronException.networkNotFound(networkId));
            Port port = dhcp.dhcpPorts(tx, networkId).stream().filter(p -> p.hostId().equals(agent.host())).findFirst()
                    .orElseThrow(() -> NeutronException.conflict("NetworkNotHostedByDhcpAgent", "The network " + networkId
                            + " is not hosted by the DHCP agent " + agentId + "."));
            dhcp.unbind(tx, port);
            return null;
        });
    }

    /** The routers that run on the agent's host, with their gateways' addresses. */
    public List<Router> l3Routers(RequestContext ctx, String agentId) {
        Policy.requireAdmin(ctx, "get_l3-routers");
        return store.read(tx -> {
            Agent agent = agent(tx, agentId);
            List<Router> out = new ArrayList<>();
            for (String id : tx.placements().routersOn(List.of(agent.host()))) {
                tx.routers().get(id).ifPresent(r -> out.add(r.gateway() == null ? r : r.withGateway(
                        r.gateway().withFixedIps(tx.ipAllocations().ofPort(r.gateway().portId())), r.enableSnat())));
            }
            return out;
        });
    }

    /** The agent on the host the router runs on. */
    public List<AgentService.Status> l3Agents(RequestContext ctx, String routerId) {
        Policy.requireAdmin(ctx, "get_l3-agents");
        return store.read(tx -> {
            tx.routers().get(routerId).orElseThrow(() -> L3Errors.routerNotFound(routerId));
            return agentsOn(tx, hosts(tx.placements().routerPorts(routerId)));
        });
    }

    /**
     * Places the router on the agent's host (POST /v2.0/agents/{id}/l3-routers). As in Neutron, a router already
     * there stays and the request succeeds; one that runs on another live node must be removed from it first.
     */
    public void addL3Router(RequestContext ctx, String agentId, Map<String, Object> body) {
        Policy.requireAdmin(ctx, "create_l3-router");
        String routerId = requiredId(body, "router_id");
        store.write(tx -> {
            tx.routers().lock(routerId).orElseThrow(() -> L3Errors.routerNotFound(routerId));
            NetworkNodes.Census c = nodes.census(tx);
            Agent agent = fitAgent(tx, c, agentId, "InvalidL3Agent", "routers");
            List<Port> ports = tx.placements().routerPorts(routerId);
            if (ports.isEmpty()) {
                throw NeutronException.conflict("RouterSchedulingFailed", "Failed scheduling router " + routerId
                        + " to the L3 agent " + agentId + ": the router has neither a gateway nor an interface to place.");
            }
            String host = RouterPlacement.hostOf(ports);
            if (!host.isEmpty() && !host.equals(agent.host()) && nodes.servingHosts(c).contains(host)) {
                throw NeutronException.conflict("RouterHostedByL3Agent", "The router " + routerId
                        + " is already hosted by the L3 agent " + c.onHost(host).map(Agent::id).orElse(host) + ".");
            }
            routers.bindAll(tx, ports, agent.host());
            return null;
        });
    }

    /** Takes the router off the agent's host, unbinding its ports (DELETE /v2.0/agents/{id}/l3-routers/{router_id}). */
    public void removeL3Router(RequestContext ctx, String agentId, String routerId) {
        Policy.requireAdmin(ctx, "delete_l3-router");
        store.write(tx -> {
            Agent agent = agent(tx, agentId);
            tx.routers().lock(routerId).orElseThrow(() -> L3Errors.routerNotFound(routerId));
            List<Port> ports = tx.placements().routerPorts(routerId);
            if (ports.stream().noneMatch(p -> p.hostId().equals(agent.host()))) {
                throw NeutronException.conflict("RouterNotHostedByL3Agent", "The router " + routerId
                        + " is not hosted by the L3 agent " + agentId + ".");
            }
            routers.bindAll(tx, ports, "");
            return null;
        });
    }

    /** The agent, if it may be given a DHCP server or router (what) now; else Neutron's 404 of errorType, saying why not. */
    private Agent fitAgent(Tx tx, NetworkNodes.Census c, String agentId, String errorType, String what) {
        Agent agent = agent(tx, agentId);
        String unfit = unfit(c, agent);
        if (unfit != null) throw NeutronException.notFound(errorType, "Agent " + agentId + " cannot run " + what + ": " + unfit + ".");
        return agent;
    }

    /** Why the agent may not be given a DHCP server or router now, or null if it may. */
    private String unfit(NetworkNodes.Census c, Agent agent) {
        if (!agent.networkNode()) return "it is not a network node (roles " + agent.roles() + ")";
        if (!agent.adminStateUp()) return "it is disabled";
        if (!nodes.alive(c, agent)) return "it is not alive";
        return null;
    }

    private List<AgentService.Status> agentsOn(Tx tx, Collection<String> hosts) {
        NetworkNodes.Census c = nodes.census(tx);
        List<AgentService.Status> out = new ArrayList<>();
        for (String host : hosts) c.onHost(host).ifPresent(a -> out.add(nodes.status(c, a)));
        return out;
    }

    private static Set<String> hosts(List<Port> ports) {
        Set<String> out = new TreeSet<>();
        for (Port p : ports) if (!p.hostId().isEmpty()) out.add(p.hostId());
        return out;
    }

    private static Agent agent(Tx tx, String id) {
        return tx.agents().get(id).orElseThrow(() -> AgentService.agentNotFound(id));
    }

    private static NeutronException networkHosted(String networkId, String agentId) {
        return NeutronException.conflict("NetworkHostedByDHCPAgent", "The network " + networkId
                + " is already hosted by the DHCP agent " + agentId + ".");
    }

    private static String requiredId(Map<String, Object> body, String key) {
        Attributes a = Attributes.of(body, Set.of(key));
        String id = a.string(key, null);
        if (id == null || id.isEmpty()) {
            throw NeutronException.badRequest("Failed to parse request. Required attribute '" + key + "' not specified");
        }
        return id;
    }
}
