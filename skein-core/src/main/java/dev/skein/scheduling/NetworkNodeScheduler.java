package dev.skein.scheduling;

import dev.skein.model.Agent;
import dev.skein.model.AgentState;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;

/**
 * Where a DHCP server or a router goes: to the network node with the least to do. Pure: the agents, their last
 * heartbeats and what each host already holds come in, a choice comes out.
 *
 * <p>An agent can take new work when it is alive (a heartbeat within the agent down time), enabled by the operator
 * (admin_state_up) and registered with the network role. It keeps serving what it has while it is alive with the
 * network role, even disabled: the operator drains a node by moving its work, not by switching it off.
 */
public final class NetworkNodeScheduler {
    private NetworkNodeScheduler() {}

    /** A heartbeat no older than the down time; an agent that never sent one is not alive. */
    public static boolean alive(AgentState state, Duration downTime, Instant now) {
        return state != null && !state.heartbeatAt().plus(downTime).isBefore(now);
    }

    /** Whether the agent's host still runs the DHCP servers and routers bound to it. */
    public static boolean serves(Agent agent, AgentState state, Duration downTime, Instant now) {
        return agent.networkNode() && alive(state, downTime, now);
    }

    /** Whether the agent may be given a DHCP server or a router now. */
    public static boolean canHost(Agent agent, AgentState state, Duration downTime, Instant now) {
        return agent.adminStateUp() && serves(agent, state, downTime, now);
    }

    /**
     * The agent that can host and holds the fewest DHCP networks plus routers ({@code load} by host; a host it
     * does not name holds none); equal loads go to the first host name, so the choice does not depend on the order
     * agents registered in.
     */
    public static Optional<Agent> choose(Collection<Agent> agents, Map<String, AgentState> statesByAgent,
                                         Map<String, Integer> load, Duration downTime, Instant now) {
        return agents.stream()
                .filter(a -> canHost(a, statesByAgent.get(a.id()), downTime, now))
                .min(Comparator.<Agent>comparingInt(a -> load.getOrDefault(a.host(), 0)).thenComparing(Agent::host));
    }
}
