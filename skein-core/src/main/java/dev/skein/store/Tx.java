package dev.skein.store;

/** One open transaction, seen through one repository per kind of record. */
public interface Tx {
    NetworkRepository networks();

    SubnetRepository subnets();

    PortRepository ports();

    IpAllocationRepository ipAllocations();

    SegmentRepository segments();

    IdentityRepository identity();

    SecurityGroupRepository securityGroups();

    SecurityGroupRuleRepository securityGroupRules();
}
