package dev.skein.server;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * What the agent scheduler and the DHCP and router scheduling tests share: a fresh cloud per test on a test
 * clock, its admin, alice in project alpha, and agents that exist as registrations and heartbeats. The failover
 * check never runs on its own here: a test runs it itself, when it has moved the clock.
 */
abstract class SchedulingCloud {
    TestClock clock;
    TestCloud cloud;
    Caller admin;
    Caller alice;
    FakeAgents agents;

    /** Where a test class needs more than the tenants' configuration; runs before the cloud starts. */
    void configure(SkeinConfig cfg) {}

    @BeforeEach
    void start() {
        clock = new TestClock();
        SkeinConfig cfg = Caller.tenants();
        cfg.agents.failoverCheckInterval = 3600;
        configure(cfg);
        cloud = new TestCloud(cfg, clock);
        admin = Caller.admin(cloud);
        alice = Caller.user(cloud, "alice", "alpha");
        agents = new FakeAgents(cloud, admin.token());
    }

    @AfterEach
    void stop() { cloud.close(); }
}
