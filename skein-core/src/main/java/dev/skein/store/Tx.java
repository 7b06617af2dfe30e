package dev.skein.store;

/** One open transaction, seen through one repository per kind of record. */
public interface Tx {
    NetworkRepository networks();

    SubnetRepository subnets();

    PortRepository ports();

    IpAllocationRepository ipAllocations();

    SegmentRepository segments();

    IdentityRepository identity();

    RbacPolicyRepository rbacPolicies();

    QuotaRepository quotas();

    RouterRepository routers();

    FloatingIpRepository floatingIps();

    SecurityGroupRepository securityGroups();

    SecurityGroupRuleRepository securityGroupRules();

    AgentRepository agents();

    HostPlanRepository hostPlans();

    InstanceMetadataRepository instanceMetadata();
    PlacementRepository placements();

    /**
     * The listener of the given type attached to this transaction, created by create on first use; each attempt
     * of a retried transaction starts with none.
     */
    <T extends TxListener> T attach(Class<T> type, java.util.function.Supplier<T> create);
}
