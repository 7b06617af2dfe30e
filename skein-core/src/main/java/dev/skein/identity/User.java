package dev.skein.identity;

public record User(String id, String domainId, String name, String passwordHash, String defaultProjectId, boolean enabled) {}
