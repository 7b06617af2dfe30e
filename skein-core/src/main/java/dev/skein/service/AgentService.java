package dev.skein.service;

import dev.skein.attr.Attributes;
import dev.skein.error.NeutronException;
import dev.skein.ipam.IpAddresses;
import dev.skein.model.Agent;
import dev.skein.model.AgentState;
import dev.skein.policy.Policy;
import dev.skein.policy.RequestContext;
import dev.skein.scheduling.NetworkNodeScheduler;
import dev.skein.store.Store;
import dev.skein.store.Tx;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Host agents: their registration and heartbeats, Neutron's agents API over them, and the port status they
 * report. Only admin tokens may do any of it; agents authenticate as an admin (or service) user.
 *
 * <p>Registration data (underlay address, interface mappings) is intent: a change raises the affected hosts' plan
 * revisions. Heartbeats and status reports are not: they never touch a plan revision, so the many small writes
 * agents make reach no other host.
 */
public final class AgentService {
    static final Set<String> REGISTER = Set.of("host", "local_ip", "bridge_mappings", "configurations");
    static final Set<String> UPDATE = Set.of("admin_state_up", "description");
    public static final Set<String> PORT_STATUSES = Set.of("ACTIVE", "DOWN", "BUILD", "ERROR");
    private static final Set<String> ROLES = new TreeSet<>(Set.of(Agent.ROLE_COMPUTE, Agent.ROLE_NETWORK));
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:-]{0,254}");
    private static final Pattern PHYSNET = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");
    private static final Pattern INTERFACE = Pattern.compile("[A-Za-z0-9_.-]{1,15}");
    private static final int MAX_CONFIGURATION_CHARS = 16_384;

    /** An agent as the API shows it: its registration, its last heartbeat and whether that is recent enough. */
    public record Status(Agent agent, AgentState state, boolean alive) {}

    private final Store store;
    private final Duration agentDownTime;
    private final Clock clock;
    private final Runnable networkNodeAvailable;

    public AgentService(Store store, Duration agentDownTime, Clock clock) {
        this(store, agentDownTime, clock, () -> {});
    }

    /**
     * networkNodeAvailable runs after the commit of a registration, heartbeat or update that made a network node
     * able to take DHCP servers and routers: one registered, came back alive or was enabled.
     */
    public AgentService(Store store, Duration agentDownTime, Clock clock, Runnable networkNodeAvailable) {
        if (agentDownTime.isNegative() || agentDownTime.isZero()) throw new IllegalArgumentException("agent_down_time must be positive");
        this.store = store;
        this.agentDownTime = agentDownTime;
        this.clock = clock;
        this.networkNodeAvailable = networkNodeAvailable;
    }

    /**
     * Registers the agent of a host, or refreshes the registration of the one already there (keeping its id,
     * admin state and description). Its plan revision moves only if what plans read from it changed.
     */
    public Status register(RequestContext ctx, Map<String, Object> body) {
        Policy.requireAdmin(ctx, "create_agent");
        Attributes a = Attributes.of(body, REGISTER);
        String host = a.string("host", null);
        if (host == null || !HOST.matcher(host).matches()) {
            throw NeutronException.invalidAttribute("host", "'" + host + "' is not a valid host name");
        }
        String localIp = a.string("local_ip", null);
        if (localIp != null) {
            IpAddresses.Ip ip = IpAddresses.parse(localIp);
            if (ip == null) throw NeutronException.invalidAttribute("local_ip", "'" + localIp + "' is not a valid IP address");
            localIp = ip.text();
        }
        Map<String, String> mappings = bridgeMappings(a.object("bridge_mappings"));
        Map<String, Object> configurations = withRoles(a.object("configurations") == null ? Map.of() : a.object("configurations"));
        // The text form is close enough to the stored JSON to bound what one agent may make the database keep.
        if (configurations.toString().length() > MAX_CONFIGURATION_CHARS) {
            throw NeutronException.invalidAttribute("configurations", "more than " + MAX_CONFIGURATION_CHARS + " characters");
        }
        String local = localIp;
        Status registered = store.write(tx -> {
            Instant now = now();
            Optional<Agent> old = tx.agents().byHost(Agent.SKEIN_AGENT_TYPE, host);
            Agent agent;
            if (old.isEmpty()) {
                agent = new Agent(UUID.randomUUID().toString(), Agent.SKEIN_AGENT_TYPE, Agent.SKEIN_AGENT_BINARY, host, "N/A",
                        local, mappings, configurations, true, "", now, now);
                if (!tx.agents().tryInsert(agent)) {
                    throw NeutronException.conflict("Conflict", "An agent registered on host " + host + " at the same time; retry.");
                }
                PlanChanges.host(tx, host);
            } else {
                Agent o = old.get();
                agent = new Agent(o.id(), o.agentType(), o.binary(), host, o.topic(), local, mappings, configurations,
                        o.adminStateUp(), o.description(), o.createdAt(), now);
                tx.agents().update(agent);
                if (!Objects.equals(o.localIp(), local) || !o.bridgeMappings().equals(mappings)) PlanChanges.host(tx, host);
            }
            tx.agents().heartbeat(agent.id(), now);
            return status(agent, tx.agents().state(agent.id()).orElse(null), now);
        });
        if (canHost(registered)) networkNodeAvailable.run();
        return registered;
    }

    /** False when the agent is unknown (deleted, or never registered): it should register again. */
    public boolean heartbeat(RequestContext ctx, String id) {
        Policy.requireAdmin(ctx, "update_agent");
        record Beat(boolean known, boolean revived) {}
        Beat beat = store.write(tx -> {
            Instant now = now();
            Optional<AgentState> before = tx.agents().state(id);
            if (!tx.agents().heartbeat(id, now)) return new Beat(false, false);
            // A network node that was dead may take work again; heartbeats of live agents read nothing more.
            if (before.isPresent() && NetworkNodeScheduler.alive(before.get(), agentDownTime, now)) return new Beat(true, false);
            return new Beat(true, tx.agents().get(id).map(ag -> ag.networkNode() && ag.adminStateUp()).orElse(false));
        });
        if (beat.revived()) networkNodeAvailable.run();
        return beat.known();
    }

    public List<Status> list(RequestContext ctx) {
        // Neutron's policy filters agents out of a non-admin's list rather than refusing the request.
        if (!ctx.isAdmin()) return List.of();
        return store.read(tx -> {
            Map<String, AgentState> states = tx.agents().states().stream()
                    .collect(Collectors.toMap(AgentState::agentId, Function.identity()));
            Instant now = now();
            return tx.agents().list().stream().map(ag -> status(ag, states.get(ag.id()), now)).toList();
        });
    }

    public Status get(RequestContext ctx, String id) {
        return store.read(tx -> status(visible(tx, ctx, id), tx.agents().state(id).orElse(null), now()));
    }

    public Status update(RequestContext ctx, String id, Map<String, Object> body) {
        boolean[] enabled = {false};
        Status updated = store.write(tx -> {
            Agent agent = visible(tx, ctx, id);
            Attributes a = Attributes.of(body, UPDATE);
            Agent u = agent.withAdmin(a.bool("admin_state_up", agent.adminStateUp()),
                    a.text("description", agent.description(), StandardAttributes.MAX_DESCRIPTION));
            tx.agents().update(u);
            enabled[0] = u.adminStateUp() && !agent.adminStateUp();
            return status(u, tx.agents().state(id).orElse(null), now());
        });
        if (enabled[0] && canHost(updated)) networkNodeAvailable.run();
        return updated;
    }

    /**
     * Deletes an agent that stopped heartbeating, which takes its host's underlay address out of every other
     * host's plan. A live agent is refused: it would register again within seconds, after the other hosts had
     * already dropped their tunnels to it.
     */
    public void delete(RequestContext ctx, String id) {
        store.write(tx -> {
            Agent agent = visible(tx, ctx, id);
            if (status(agent, tx.agents().state(id).orElse(null), now()).alive()) {
                throw NeutronException.conflict("AgentAlive", "Agent " + id + " on host " + agent.host()
                        + " is alive; only an agent whose heartbeats stopped can be deleted.");
            }
            tx.agents().delete(id);
            PlanChanges.host(tx, agent.host());
            return null;
        });
    }

    /**
     * The port statuses an agent observed and the plan revision it has realised. Only ports bound to the agent's
     * host change; anything else in the report is ignored, as a report from a host that lost the port is stale.
     * Returns how many ports changed status.
     */
    public int reportStatus(RequestContext ctx, String host, long realisedRevision, Map<String, String> portStatuses) {
        Policy.requireAdmin(ctx, "update_port:status");
        for (var e : portStatuses.entrySet()) {
            if (!PORT_STATUSES.contains(e.getValue())) {
                throw NeutronException.invalidAttribute("status", "'" + e.getValue() + "' is not one of " + new TreeSet<>(PORT_STATUSES));
            }
        }
        return store.write(tx -> {
            Instant now = now();
            int changed = 0;
            for (var e : new TreeMap<>(portStatuses).entrySet()) {
                if (tx.ports().updateStatus(e.getKey(), host, e.getValue(), now)) changed++;
            }
            tx.agents().byHost(Agent.SKEIN_AGENT_TYPE, host).ifPresent(ag -> tx.agents().realised(ag.id(), realisedRevision));
            return changed;
        });
    }

    /** The realised plan revision of each host's agent. */
    public Map<String, Long> realisedRevisions() {
        return store.read(tx -> {
            Map<String, String> hostOf = new HashMap<>();
            for (Agent ag : tx.agents().list()) hostOf.put(ag.id(), ag.host());
            Map<String, Long> out = new LinkedHashMap<>();
            for (AgentState s : tx.agents().states()) {
                String host = hostOf.get(s.agentId());
                if (host != null) out.put(host, s.realisedRevision());
            }
            return out;
        });
    }

    private Status status(Agent agent, AgentState state, Instant now) {
        return new Status(agent, state, NetworkNodeScheduler.alive(state, agentDownTime, now));
    }

    private static boolean canHost(Status s) {
        return s.alive() && s.agent().adminStateUp() && s.agent().networkNode();
    }

    /**
     * The configurations with "roles" as a sorted list of known roles; an agent that names none is a compute host
     * (agents from before network nodes existed ran VMs only).
     */
    private static Map<String, Object> withRoles(Map<String, Object> configurations) {
        Object raw = configurations.get(Agent.ROLES);
        Set<String> roles = new TreeSet<>();
        if (raw == null) {
            roles.add(Agent.ROLE_COMPUTE);
        } else if (raw instanceof List<?> listed && !listed.isEmpty()) {
            for (Object r : listed) {
                if (!ROLES.contains(r)) {
                    throw NeutronException.invalidAttribute("configurations", "role '" + r + "' is not one of " + ROLES);
                }
                roles.add((String) r);
            }
        } else {
            throw NeutronException.invalidAttribute("configurations", "roles must be a non-empty list of " + ROLES);
        }
        Map<String, Object> out = new TreeMap<>(configurations);
        out.put(Agent.ROLES, List.copyOf(roles));
        return out;
    }

    private static Agent visible(Tx tx, RequestContext ctx, String id) {
        if (!ctx.isAdmin()) throw agentNotFound(id);
        return tx.agents().get(id).orElseThrow(() -> agentNotFound(id));
    }

    static NeutronException agentNotFound(String id) {
        return NeutronException.notFound("AgentNotFound", "Agent " + id + " could not be found.");
    }

    private static Map<String, String> bridgeMappings(Map<String, Object> raw) {
        if (raw == null) return Map.of();
        Map<String, String> out = new TreeMap<>();
        for (var e : raw.entrySet()) {
            if (!PHYSNET.matcher(e.getKey()).matches() || !(e.getValue() instanceof String iface) || !INTERFACE.matcher(iface).matches()) {
                throw NeutronException.invalidAttribute("bridge_mappings", "'" + e.getKey() + ":" + e.getValue()
                        + "' is not PHYSICAL_NETWORK:INTERFACE");
            }
            out.put(e.getKey(), iface);
        }
        return out;
    }

    private Instant now() { return StandardAttributes.now(clock); }
}
