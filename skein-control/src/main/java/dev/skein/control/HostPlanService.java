package dev.skein.control;

import dev.skein.model.Agent;
import dev.skein.model.Port;
import dev.skein.plan.HostPlan;
import dev.skein.plan.L2Compiler;
import dev.skein.plan.L2Intent;
import dev.skein.plan.PlanDelta;
import dev.skein.service.PlanChanges;
import dev.skein.store.Store;
import dev.skein.store.Tx;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Host plans compiled from the store. A plan is stamped with the host's revision read before anything else, so
 * it holds at least everything that revision stands for (possibly more, which the next delta or fetch repeats):
 * an agent that realised it never misses a change by trusting the stamp.
 */
public final class HostPlanService {
    private final Store store;

    public HostPlanService(Store store) { this.store = store; }

    /** The whole plan of one host. */
    public HostPlan plan(String host) {
        return store.read(tx -> {
            long revision = tx.hostPlans().revision(host);
            L2Intent intent = intent(tx, tx.hostPlans().networksOfHost(host));
            return new HostPlan(host, revision, L2Compiler.compile(intent, host));
        });
    }

    /** One delta per host a committed change reached; hosts whose own registration changed get a fetch request. */
    public Map<String, PlanDelta> deltas(PlanChanges.Change change) {
        return store.read(tx -> {
            L2Intent intent = change.networks().isEmpty() ? new L2Intent(List.of(), List.of(), List.of())
                    : intent(tx, change.networks());
            Map<String, PlanDelta> out = new LinkedHashMap<>();
            change.revisions().forEach((host, revision) -> out.put(host, change.fullHosts().contains(host)
                    ? PlanDelta.fetch(host, revision)
                    : PlanDelta.sections(host, revision, L2Compiler.compile(intent, host), change.networks())));
            return out;
        });
    }

    /** Every host with a plan: its current revision and, if its agent reported one, the revision it has realised. */
    public record HostRevision(String host, long revision, Long realisedRevision) {}

    public List<HostRevision> revisions(Map<String, Long> realised) {
        Map<String, Long> current = store.read(tx -> tx.hostPlans().revisions());
        List<HostRevision> out = new ArrayList<>();
        current.forEach((host, revision) -> out.add(new HostRevision(host, revision, realised.get(host))));
        return out;
    }

    /**
     * The part of the intent the L2 compiler needs for the given networks: the networks, every port on them
     * (bound or not: the compiler decides) and the hosts those ports are bound to.
     */
    private static L2Intent intent(Tx tx, Collection<String> networkIds) {
        List<L2Intent.Network> networks = new ArrayList<>();
        List<L2Intent.Port> ports = new ArrayList<>();
        TreeSet<String> hosts = new TreeSet<>();
        for (String id : new TreeSet<>(networkIds)) {
            var network = tx.networks().get(id);
            if (network.isEmpty()) continue;
            networks.add(L2Intent.Network.of(network.get()));
            for (Port p : tx.ports().list(null, id)) {
                ports.add(L2Intent.Port.of(p));
                if (!p.hostId().isEmpty()) hosts.add(p.hostId());
            }
        }
        List<L2Intent.Host> described = tx.agents().onHosts(Agent.SKEIN_AGENT_TYPE, hosts).stream()
                .map(a -> new L2Intent.Host(a.host(), a.localIp(), a.bridgeMappings())).toList();
        return new L2Intent(networks, ports, described);
    }
}
