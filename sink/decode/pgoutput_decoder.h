// The decoder of PostgreSQL's built-in pgoutput plugin (protocol version 1, messages on):
// the same events as the pgtrail plugin's records, so the changes rows are the same. It keeps
// pgoutput's relation map (by OID, refreshed by every Relation message) and a type catalog,
// and asks the session for catalog lookups on a plain connection to the source (keys in key
// order, partition roots, type structure) before the rows that need them. What pgtrail's
// plugin does through options, it does here: skipping origins, table filters, message
// prefixes. Pure C++.
#pragma once

#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "decode/events.h"
#include "decode/pgoutput_reader.h"
#include "decode/text_json.h"
#include "decode/type_catalog.h"
#include "decode/value_redaction.h"
#include "column_policy.h"
#include "name_pattern.h"

namespace pgtrail {

/// What the plugin's options do in pgtrail mode.
struct PgoutputFilters {
    std::vector<std::string> exclude_origins;   ///< globs (plugin exclude-origins)
    std::vector<TablePattern> include_tables;   ///< empty: all
    std::vector<TablePattern> exclude_tables;   ///< also the changes table when it lives in the source
    std::vector<std::string> messages;          ///< prefix globs of messages passed on
    // The plugin's redact, redact-key and ignore-columns.
    std::vector<ColumnPattern> redact;
    std::string redact_key;                     ///< empty: the fixed marker
    std::vector<ColumnPattern> ignore_columns;
};

class PgoutputDecoder final : public Decoder {
public:
    explicit PgoutputDecoder(PgoutputFilters filters);

    void decode(std::string_view payload, std::uint64_t wal_start, EventHandler &handler) override;
    /// The stream's own buffer: a huge value's pages are given back as it is converted.
    void decode_padded(std::string_view payload, std::uint64_t wal_start, EventHandler &handler) override;
    std::optional<std::string> catalog_query() override;
    void on_catalog_rows(const std::vector<std::string> &rows) override;

private:
    struct Column {
        std::string name;
        std::string json_key;  ///< "name": pre-rendered
        TypeOid type = 0;
        bool flagged = false;  ///< in the replica identity per the Relation message
    };
    struct RelationInfo {
        std::string own_schema, own_name;   ///< as pgoutput names it
        std::string schema, name;           ///< as reported (a partition's root)
        char replident = 'd';
        std::vector<Column> columns;
        std::vector<std::size_t> key;       ///< indices of the key columns, in key order
        std::vector<std::string_view> key_names;
        bool tracked = true;
        std::vector<bool> redacted, ignored;  ///< per column: --redact, --ignore-columns (of the reported table)
        bool any_redacted = false, any_ignored = false;
    };
    enum class Pending { None, Relations, Types };

    /// Frees the image strings a huge row grew, so its memory is not kept for good.
    void release_huge_images();
    void on_relation(pgoutput::MessageCursor &in);
    void begin_if_needed(EventHandler &handler);
    const RelationInfo *relation(pgoutput::Oid oid) const;
    void on_row(char op, pgoutput::MessageCursor &in, std::uint64_t lsn, EventHandler &handler);
    void on_truncate(pgoutput::MessageCursor &in, std::uint64_t lsn, EventHandler &handler);
    /// Renders a tuple as a JSON object into out; key_only leaves out null columns ('K' tuples).
    /// reread_by: the tuple that takes this one's values for its unchanged TOASTed ones (an
    /// UPDATE's new row), so they are read again; every other value is read for the last time.
    void render(const RelationInfo &rel, const std::vector<pgoutput::TupleValue> &tuple,
                const std::vector<pgoutput::TupleValue> *toast_source, bool key_only, std::string &out,
                std::vector<std::pair<std::size_t, std::size_t>> &spans, bool collect_unchanged,
                const std::vector<pgoutput::TupleValue> *reread_by);
    /// A value's JSON; a huge string value read for the last time is converted a piece at a time,
    /// each piece of the message given back once converted (release_pages).
    void append_value(std::string &out, std::string_view text, TypeOid type, bool last_read);
    /// A redacted column's value: the marker, or the keyed hash of its JSON.
    void append_redacted(std::string &out, std::string_view text, TypeOid type);
    void key_values(const RelationInfo &rel, const std::string &image,
                    const std::vector<std::pair<std::size_t, std::size_t>> &spans,
                    std::vector<KeyValue> &out, std::vector<std::string> &texts);
    void set_keys(RelationInfo &rel, const std::vector<std::string> &names);
    bool passes_filters(const RelationInfo &rel) const;
    /// Marks the columns --redact and --ignore-columns name; with passes_filters when the name is known.
    void apply_column_rules(RelationInfo &rel) const;
    /// An UPDATE with the whole old row whose other columns are equal, and some ignored column is not.
    bool only_ignored_changed(const RelationInfo &rel) const;

    PgoutputFilters filters_;
    ValueRedactor redactor_;
    std::string redact_scratch_;  ///< a redacted value's JSON, hashed then dropped
    TypeCatalog types_;
    TextToJson convert_{types_};
    std::unordered_map<pgoutput::Oid, RelationInfo> relations_;

    // Catalog lookups the session runs before the next message.
    std::vector<pgoutput::Oid> relations_to_load_;
    std::vector<TypeOid> types_wanted_;
    Pending pending_ = Pending::None;
    std::vector<std::uint32_t> asked_;

    // The transaction being read.
    bool in_xact_ = false;
    bool begun_ = false;       ///< its BeginEvent went out (at its first change or message)
    bool releasable_input_ = false;  ///< the message being decoded may be given back as it is read
    bool skipped_ = false;     ///< replayed under an excluded origin
    pgoutput::Begin begin_;
    std::string commit_time_;

    // The event being built (reused).
    RowChangeEvent change_;
    std::string before_, after_;
    std::vector<std::pair<std::size_t, std::size_t>> before_spans_, after_spans_;
    std::vector<std::string> before_texts_, after_texts_;
    std::vector<std::string> unchanged_;
    pgoutput::Insert insert_;
    pgoutput::Update update_;
    pgoutput::Delete delete_;
    pgoutput::Truncate truncate_;
    pgoutput::Relation relation_msg_;
};

}  // namespace pgtrail
