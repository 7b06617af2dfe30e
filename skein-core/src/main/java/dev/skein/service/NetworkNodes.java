package dev.skein.service;

import dev.skein.model.Agent;
import dev.skein.model.AgentState;
import dev.skein.scheduling.NetworkNodeScheduler;
import dev.skein.store.Tx;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The agents as the scheduler sees them inside a transaction: which may be given a DHCP server or a router, which
 * still run the ones they have, and which one gets the next. Liveness is the agents API's: a heartbeat within
 * agents.agent_down_time, measured with the controller's clock.
 */
public final class NetworkNodes {
    private final Duration downTime;
    private final Clock clock;

    public NetworkNodes(Duration downTime, Clock clock) {
        if (downTime.isNegative() || downTime.isZero()) throw new IllegalArgumentException("agent_down_time must be positive");
        this.downTime = downTime;
        this.clock = clock;
    }

    /** All agents and their heartbeats, read once so that one decision sees one instant. */
    public record Census(List<Agent> agents, Map<String, AgentState> states, Instant now) {
        public Optional<Agent> onHost(String host) {
            return agents.stream().filter(a -> a.host().equals(host)).findFirst();
        }
    }

    public Census census(Tx tx) {
        List<Agent> agents = tx.agents().list().stream().filter(a -> a.agentType().equals(Agent.SKEIN_AGENT_TYPE)).toList();
        Map<String, AgentState> states = tx.agents().states().stream()
                .collect(Collectors.toMap(AgentState::agentId, Function.identity()));
        return new Census(agents, states, StandardAttributes.now(clock));
    }

    /** The agent that gets the next DHCP server or router, if any can take one. */
    public Optional<Agent> choose(Tx tx) {
        Census c = census(tx);
        List<String> hosts = c.agents().stream().filter(a -> canHost(c, a)).map(Agent::host).toList();
        if (hosts.isEmpty()) return Optional.empty();
        return NetworkNodeScheduler.choose(c.agents(), c.states(), tx.placements().load(hosts), downTime, c.now());
    }

    public boolean alive(Census c, Agent a) { return NetworkNodeScheduler.alive(c.states().get(a.id()), downTime, c.now()); }

    public boolean canHost(Census c, Agent a) { return NetworkNodeScheduler.canHost(a, c.states().get(a.id()), downTime, c.now()); }

    /** Hosts whose agent still runs the DHCP servers and routers bound to them. */
    public Set<String> servingHosts(Census c) {
        Set<String> out = new TreeSet<>();
        for (Agent a : c.agents()) if (NetworkNodeScheduler.serves(a, c.states().get(a.id()), downTime, c.now())) out.add(a.host());
        return out;
    }

    /** The agent as the agents API shows it. */
    public AgentService.Status status(Census c, Agent a) {
        return new AgentService.Status(a, c.states().get(a.id()), alive(c, a));
    }
}
