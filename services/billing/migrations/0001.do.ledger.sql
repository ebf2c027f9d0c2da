-- The ledger schema. Amounts are integer micro-units of the currency (1 USD = 1,000,000);
-- rates are micro-units per million tokens. Timestamps are UTC with microsecond precision.

CREATE TABLE price_book (
  model                         text        NOT NULL,
  version                       text        NOT NULL,
  effective_from                timestamptz NOT NULL,
  currency                      text        NOT NULL,
  input_micros_per_mtok         bigint      NOT NULL CHECK (input_micros_per_mtok >= 0),
  cached_input_micros_per_mtok  bigint      NOT NULL CHECK (cached_input_micros_per_mtok >= 0),
  output_micros_per_mtok        bigint      NOT NULL CHECK (output_micros_per_mtok >= 0),
  PRIMARY KEY (model, version)
);

-- One line per usage.recorded envelope; the envelope id as primary key is what makes a
-- re-delivered event a no-op (INSERT ... ON CONFLICT (event_id) DO NOTHING).
CREATE TABLE ledger_lines (
  event_id              text        PRIMARY KEY,
  tenant_id             text        NOT NULL,
  request_id            text        NOT NULL,
  model                 text        NOT NULL,
  occurred_at           timestamptz NOT NULL,
  prompt_tokens         bigint      NOT NULL,
  cached_prompt_tokens  bigint      NOT NULL,
  completion_tokens     bigint      NOT NULL,
  amount_micros         bigint      NOT NULL,
  currency              text        NOT NULL,
  price_book_version    text        NOT NULL
);

CREATE INDEX ledger_lines_tenant_time ON ledger_lines (tenant_id, occurred_at);

-- Where each consumer resumes: committed in the same transaction as the lines it produced.
CREATE TABLE consumer_positions (
  consumer     text        PRIMARY KEY,
  next_offset  bigint      NOT NULL CHECK (next_offset >= 0),
  updated_at   timestamptz NOT NULL DEFAULT now()
);
