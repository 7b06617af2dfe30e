package dev.skein.identity;

import java.util.List;

/**
 * Bootstrap identity: the admin (created on first start) plus any projects and users the operator lists.
 *
 * @param adminPassword      the admin's password on creation
 * @param resetAdminPassword whether an existing admin's password is set to adminPassword (an operator gave
 *                           one) or kept (it was only generated in case the admin did not exist yet)
 */
public record IdentitySettings(String adminPassword, boolean resetAdminPassword, List<ProjectSpec> projects, List<UserSpec> users) {
    public record ProjectSpec(String name, String description) {}

    public record UserSpec(String name, String password, String project, List<String> roles) {}
}
