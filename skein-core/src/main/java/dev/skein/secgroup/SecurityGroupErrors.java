package dev.skein.secgroup;

import dev.skein.error.NeutronException;

/** The security group failures, typed as neutron-lib names them (clients match on the type). */
public final class SecurityGroupErrors {
    private SecurityGroupErrors() {}

    public static NeutronException notFound(String id) {
        return NeutronException.notFound("SecurityGroupNotFound", "Security group " + id + " does not exist");
    }

    public static NeutronException ruleNotFound(String id) {
        return NeutronException.notFound("SecurityGroupRuleNotFound", "Security group rule " + id + " does not exist");
    }

    public static NeutronException inUse(String id) {
        return NeutronException.conflict("SecurityGroupInUse", "Security Group " + id + " in use.");
    }

    public static NeutronException ruleExists(String existingRuleId) {
        return NeutronException.conflict("SecurityGroupRuleExists",
                "Security group rule already exists. Rule id is " + existingRuleId + ".");
    }

    public static NeutronException duplicateInRequest() {
        return NeutronException.conflict("DuplicateSecurityGroupRuleInPost",
                "The request creates the same security group rule more than once.");
    }

    public static NeutronException defaultAlreadyExists() {
        return NeutronException.conflict("SecurityGroupDefaultAlreadyExists", "Default security group already exists.");
    }

    public static NeutronException cannotUpdateDefault() {
        return NeutronException.conflict("SecurityGroupCannotUpdateDefault",
                "The name of a project's default security group cannot be changed.");
    }

    public static NeutronException cannotRemoveDefault() {
        return NeutronException.conflict("SecurityGroupCannotRemoveDefault",
                "Insufficient rights for removing default security group.");
    }

    public static NeutronException tooManyRules(String groupId, int max) {
        return NeutronException.conflict("SecurityGroupRuleLimitExceeded",
                "Security group " + groupId + " already has the maximum of " + max + " rules.");
    }

    public static NeutronException stateless() {
        return new NeutronException(400, "InvalidInput", "Invalid input for operation: stateful is false, but Skein "
                + "only implements stateful security groups; leave stateful unset or true.");
    }

    public static NeutronException portSecurityRequired() {
        return new NeutronException(400, "PortSecurityAndIPRequiredForSecurityGroups",
                "Port security must be enabled and port must have an IP address in order to use security groups.");
    }

    public static NeutronException portHasGroups() {
        return NeutronException.conflict("PortSecurityPortHasSecurityGroup", "Port has security group associated. "
                + "Cannot disable port security or IP address until security group is removed.");
    }

    static NeutronException badRule(String type, String message) {
        return new NeutronException(400, type, message);
    }
}
