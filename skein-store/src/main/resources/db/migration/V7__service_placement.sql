-- Where DHCP servers and routers run is the binding of their ports (network:dhcp, network:router_gateway,
-- network:router_interface). The scheduler asks, every few seconds and whenever it places one, which hosts hold
-- such ports and how many: this index answers from the service ports alone, however many VM ports there are.
CREATE INDEX ports_owner_host ON ports (device_owner, host_id);
