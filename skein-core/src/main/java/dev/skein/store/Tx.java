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
}
