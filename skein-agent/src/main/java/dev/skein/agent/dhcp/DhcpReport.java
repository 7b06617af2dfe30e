package dev.skein.agent.dhcp;

import java.util.List;

/**
 * What one realisation of a host's DHCP servers did. changes say what was done to namespaces, devices, files and
 * dnsmasq processes (empty when everything already matched); notes say what the plan could not express; errors
 * are the failures, after which the next call starts again from what the kernel and the processes show.
 */
public record DhcpReport(Mode mode, List<String> changes, List<String> notes, List<String> errors) {
    /** FULL read every namespace and process back; INCREMENTAL diffed against the plan realised last. */
    public enum Mode { FULL, INCREMENTAL }

    public DhcpReport {
        changes = List.copyOf(changes);
        notes = List.copyOf(notes);
        errors = List.copyOf(errors);
    }

    public boolean changed() { return !changes.isEmpty(); }

    public boolean succeeded() { return errors.isEmpty(); }
}
