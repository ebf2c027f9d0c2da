-- Rated usage waiting for (and after) publication to `infermesh.rated-usage.v1`. One row per
-- ledger line, written in the same transaction as the line, so a line is published if and only
-- if it is in the ledger. `sequence` is the ledger order (1, 2, 3...) and the `usage.rated`
-- envelope's sequence; `envelope` holds its exact bytes, so a re-publication after a crash is
-- byte-identical. The relay's progress is the consumer_positions row "<consumer>.relay".
CREATE TABLE rated_usage_outbox (
  sequence         bigint PRIMARY KEY CHECK (sequence >= 1),
  event_id         text   NOT NULL UNIQUE,
  source_event_id  text   NOT NULL UNIQUE REFERENCES ledger_lines (event_id),
  tenant_id        text   NOT NULL,
  hash             bytea  NOT NULL,
  envelope         bytea  NOT NULL
);
