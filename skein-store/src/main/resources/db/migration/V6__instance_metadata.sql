-- What compute services attach to instances (keyed by the device_id of their ports) for the metadata service and
-- config drives. Public keys and meta are JSON objects; user_data is the base64 text as given.

CREATE TABLE instance_metadata (
    device_id         VARCHAR(255)   PRIMARY KEY,
    hostname          VARCHAR(255),
    name              VARCHAR(255),
    public_keys       VARCHAR(300000) NOT NULL,
    user_data         VARCHAR(65535),
    meta              VARCHAR(100000) NOT NULL,
    availability_zone VARCHAR(255),
    created_at        BIGINT         NOT NULL,
    updated_at        BIGINT         NOT NULL,
    revision_number   BIGINT         NOT NULL
);
