package dev.skein.identity;

import java.time.Duration;
import java.util.List;

/**
 * Bootstrap identity: the admin (created on first start, its password reset whenever one is given) plus any
 * projects and users the operator lists.
 */
public record IdentitySettings(String adminPassword, Duration tokenTtl, List<ProjectSpec> projects, List<UserSpec> users) {
    public record ProjectSpec(String name, String description) {}

    public record UserSpec(String name, String password, String project, List<String> roles) {}
}
