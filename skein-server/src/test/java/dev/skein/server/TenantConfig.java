package dev.skein.server;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The identity part of a multi-tenant test's {@link SkeinConfig}: its projects and their users. Anything else a test
 * needs (quota overrides, database) it sets on the built config itself, so the differences stay visible there.
 */
final class TenantConfig {
    private final SkeinConfig config;

    TenantConfig() { this(new SkeinConfig()); }

    /** Adds to an existing config, e.g. one more user on top of a shared set of tenants. */
    TenantConfig(SkeinConfig config) { this.config = config; }

    TenantConfig projects(String... names) { return projects(List.of(names)); }

    TenantConfig projects(Collection<String> names) {
        for (String name : names) {
            SkeinConfig.ProjectEntry p = new SkeinConfig.ProjectEntry();
            p.name = name;
            config.identity.projects.add(p);
        }
        return this;
    }

    /** A user of {@code project} with the given roles, or Skein's default role when none are given. */
    TenantConfig user(String name, String password, String project, String... roles) {
        SkeinConfig.UserEntry u = new SkeinConfig.UserEntry();
        u.name = name;
        u.password = password;
        u.project = project;
        if (roles.length > 0) u.roles = new ArrayList<>(List.of(roles));
        config.identity.users.add(u);
        return this;
    }

    SkeinConfig build() { return config; }
}
