package dev.skein.store.sql;

import dev.skein.store.FloatingIpRepository;
import dev.skein.store.IdentityRepository;
import dev.skein.store.IpAllocationRepository;
import dev.skein.store.NetworkRepository;
import dev.skein.store.PortRepository;
import dev.skein.store.QuotaRepository;
import dev.skein.store.RbacPolicyRepository;
import dev.skein.store.RouterRepository;
import dev.skein.store.SecurityGroupRepository;
import dev.skein.store.SecurityGroupRuleRepository;
import dev.skein.store.SegmentRepository;
import dev.skein.store.SubnetRepository;
import dev.skein.store.Tx;
import dev.skein.store.AgentRepository;
import dev.skein.store.HostPlanRepository;
import dev.skein.store.InstanceMetadataRepository;
import dev.skein.store.PlacementRepository;
import dev.skein.store.TxListener;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

final class SqlTx implements Tx {
    private static final Logger LOG = LoggerFactory.getLogger(SqlTx.class);
    private final Handle h;
    private final Set<String> tables;
    private int savepoints;
    private final Map<Class<?>, TxListener> listeners = new LinkedHashMap<>();

    SqlTx(Handle h, Set<String> tables) {
        this.h = h;
        this.tables = tables;
    }

    @Override public NetworkRepository networks() { return new SqlNetworks(this); }
    @Override public SubnetRepository subnets() { return new SqlSubnets(this); }
    @Override public PortRepository ports() { return new SqlPorts(this); }
    @Override public IpAllocationRepository ipAllocations() { return new SqlIpAllocations(this); }
    @Override public SegmentRepository segments() { return new SqlSegments(this); }
    @Override public IdentityRepository identity() { return new SqlIdentity(this); }
    @Override public RbacPolicyRepository rbacPolicies() { return new SqlRbacPolicies(this); }
    @Override public QuotaRepository quotas() { return new SqlQuotas(this, tables); }
    @Override public RouterRepository routers() { return new SqlRouters(this); }
    @Override public FloatingIpRepository floatingIps() { return new SqlFloatingIps(this); }
    @Override public SecurityGroupRepository securityGroups() { return new SqlSecurityGroups(this); }
    @Override public SecurityGroupRuleRepository securityGroupRules() { return new SqlSecurityGroupRules(this); }
    @Override public AgentRepository agents() { return new SqlAgents(this); }
    @Override public HostPlanRepository hostPlans() { return new SqlHostPlans(this); }
    @Override public InstanceMetadataRepository instanceMetadata() { return new SqlInstanceMetadata(this); }
    @Override public PlacementRepository placements() { return new SqlPlacements(this); }

    @Override
    public <T extends TxListener> T attach(Class<T> type, Supplier<T> create) {
        return type.cast(listeners.computeIfAbsent(type, t -> create.get()));
    }

    /** Listeners may attach further listeners while they run, so this goes until none is new. */
    void beforeCommit() {
        List<TxListener> done = new ArrayList<>();
        for (List<TxListener> pending = List.copyOf(listeners.values()); !pending.isEmpty(); ) {
            for (TxListener l : pending) l.beforeCommit(this);
            done.addAll(pending);
            pending = listeners.values().stream().filter(l -> !done.contains(l)).toList();
        }
    }

    /** The transaction has committed: a failing listener is logged, since the write itself stands. */
    void afterCommit() {
        for (TxListener l : List.copyOf(listeners.values())) {
            try {
                l.afterCommit();
            } catch (RuntimeException e) {
                LOG.warn("after-commit action {} failed", l.getClass().getSimpleName(), e);
            }
        }
    }

    Handle handle() { return h; }

    /**
     * Runs one insert or update that may hit a unique constraint, inside a savepoint so the violation does not
     * abort the surrounding transaction (PostgreSQL would). False when the constraint said no.
     */
    boolean tryUnique(BooleanSupplier statement) {
        String name = "sp" + (++savepoints);
        h.savepoint(name);
        try {
            boolean ok = statement.getAsBoolean();
            h.releaseSavepoint(name);
            return ok;
        } catch (RuntimeException e) {
            if (!SqlErrors.UNIQUE_VIOLATION.equals(SqlStore.sqlState(e))) throw e;
            h.rollbackToSavepoint(name);
            return false;
        }
    }
}
