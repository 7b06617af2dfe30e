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
import org.jdbi.v3.core.Handle;

import java.util.Set;
import java.util.function.BooleanSupplier;

final class SqlTx implements Tx {
    private final Handle h;
    private final Set<String> tables;
    private int savepoints;

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
