// pgoutput messages -> events, dispatched on the first byte as worker.c's apply_dispatch does.
#include "decode/pgoutput_decoder.h"

#include <simdjson.h>

#include "decode/page_release.h"
#include "json_escape.h"
#include "pg/copy_text.h"
#include "pg/wire.h"
#include "pgoutput_sql.h"

namespace pgtrail {

namespace {

constexpr std::size_t kNoSpan = std::string::npos;

// The unescaped text of a JSON string token (a key value's text for primary_key).
std::string unescape_json_string(std::string_view raw) {
    simdjson::padded_string padded(raw);
    simdjson::ondemand::parser parser;
    std::string_view text;
    auto doc = parser.iterate(padded);
    if (doc.get_string().get(text) != simdjson::SUCCESS) throw DecodeError("a key value does not unescape");
    return std::string(text);
}

std::vector<std::string> json_string_array(simdjson::ondemand::value value) {
    std::vector<std::string> out;
    if (value.is_null()) return out;
    for (auto item : value.get_array()) out.emplace_back(std::string_view(item.get_string()));
    return out;
}

}  // namespace

PgoutputDecoder::PgoutputDecoder(PgoutputFilters filters) : filters_(std::move(filters)), redactor_(filters_.redact_key) {}

void PgoutputDecoder::decode(std::string_view payload, std::uint64_t wal_start, EventHandler &handler) {
    release_huge_images();  // the handler is done with the last row's images
    if (payload.empty()) throw DecodeError("an empty pgoutput message");
    pgoutput::MessageCursor in(payload.substr(1));
    switch (payload[0]) {
    case 'B':
        begin_ = pgoutput::read_begin(in);
        in_xact_ = true;
        begun_ = skipped_ = false;
        commit_time_ = format_utc_timestamp(begin_.commit_time + kPostgresEpochOffsetMicros);
        break;
    case 'O': {
        pgoutput::Origin origin = pgoutput::read_origin(in);
        if (in_xact_ && any_name_matches(filters_.exclude_origins, origin.name)) skipped_ = true;
        break;
    }
    case 'R': on_relation(in); break;
    case 'Y': {
        pgoutput::Type type = pgoutput::read_type(in);
        types_.forget_user_types({type.oid});
        types_wanted_.push_back(type.oid);
        break;
    }
    case 'I':
    case 'U':
    case 'D': on_row(payload[0], in, wal_start, handler); break;
    case 'T': on_truncate(in, wal_start, handler); break;
    case 'M': {
        pgoutput::Message message = pgoutput::read_message(in);
        if (!any_name_matches(filters_.messages, message.prefix)) break;
        if (message.transactional) {
            if (!in_xact_ || skipped_) break;
            begin_if_needed(handler);
        }
        handler.on_message(MessageEvent{message.lsn, message.transactional, message.prefix, message.content});
        break;
    }
    case 'C': {
        pgoutput::Commit commit = pgoutput::read_commit(in);
        if (begun_) handler.on_commit(CommitEvent{commit.end_lsn, commit_time_});
        in_xact_ = begun_ = skipped_ = false;
        break;
    }
    default: throw DecodeError(std::string("an unknown pgoutput message type '") + payload[0] + "'");
    }
}

void PgoutputDecoder::decode_padded(std::string_view payload, std::uint64_t wal_start, EventHandler &handler) {
    struct Releasable {
        bool &flag;
        ~Releasable() { flag = false; }
    } releasable{releasable_input_};
    releasable_input_ = true;
    decode(payload, wal_start, handler);
}

void PgoutputDecoder::release_huge_images() {
    // Ordinary rows reuse what they had.
    if (before_.capacity() > kHugeMessageBytes) std::string().swap(before_);
    if (after_.capacity() > kHugeMessageBytes) std::string().swap(after_);
    if (redact_scratch_.capacity() > kHugeMessageBytes) std::string().swap(redact_scratch_);
}

void PgoutputDecoder::begin_if_needed(EventHandler &handler) {
    if (begun_) return;
    if (!in_xact_) throw DecodeError("a pgoutput change outside a transaction");
    begun_ = true;
    handler.on_begin(BeginEvent{begin_.xid, begin_.final_lsn, commit_time_});
}

void PgoutputDecoder::on_relation(pgoutput::MessageCursor &in) {
    pgoutput::read_relation(in, relation_msg_);
    RelationInfo &rel = relations_[relation_msg_.oid];
    rel = RelationInfo{};
    rel.own_schema = rel.schema = std::string(relation_msg_.schema);
    rel.own_name = rel.name = std::string(relation_msg_.name);
    rel.replident = relation_msg_.replident;
    std::vector<std::string> flagged;
    std::vector<TypeOid> column_types;
    for (const auto &c : relation_msg_.columns) {
        Column col;
        col.name = std::string(c.name);
        append_json_string(col.json_key, col.name);
        col.json_key.push_back(':');
        col.type = c.type;
        col.flagged = c.key;
        if (c.key) flagged.push_back(col.name);
        column_types.push_back(c.type);
        rel.columns.push_back(std::move(col));
    }
    // Until the catalog answers (or when the table is gone from it): the identity pgoutput flags,
    // in column order; under REPLICA IDENTITY FULL every column is flagged, which is no key.
    set_keys(rel, rel.replident == 'f' ? std::vector<std::string>{} : flagged);
    rel.tracked = passes_filters(rel);
    apply_column_rules(rel);
    relations_to_load_.push_back(relation_msg_.oid);
    types_.forget_user_types(column_types);
    types_wanted_.insert(types_wanted_.end(), column_types.begin(), column_types.end());
}

void PgoutputDecoder::set_keys(RelationInfo &rel, const std::vector<std::string> &names) {
    rel.key.clear();
    rel.key_names.clear();
    for (const auto &name : names) {
        std::size_t i = 0;
        while (i < rel.columns.size() && rel.columns[i].name != name) i++;
        if (i == rel.columns.size()) {  // renamed since: the catalog is newer than the message
            rel.key.clear();
            rel.key_names.clear();
            for (std::size_t c = 0; c < rel.columns.size() && rel.replident != 'f'; c++)
                if (rel.columns[c].flagged) rel.key.push_back(c);
            break;
        }
        rel.key.push_back(i);
    }
    for (std::size_t i : rel.key) rel.key_names.push_back(rel.columns[i].name);
}

bool PgoutputDecoder::passes_filters(const RelationInfo &rel) const {
    // As the plugin: a partition passes when it or its root is included and neither is excluded.
    for (const auto *name : {&rel.own_name, &rel.name}) {
        const std::string &schema = name == &rel.own_name ? rel.own_schema : rel.schema;
        if (any_table_matches(filters_.exclude_tables, schema, *name)) return false;
    }
    return filters_.include_tables.empty() || any_table_matches(filters_.include_tables, rel.own_schema, rel.own_name) ||
           any_table_matches(filters_.include_tables, rel.schema, rel.name);
}

void PgoutputDecoder::apply_column_rules(RelationInfo &rel) const {
    rel.redacted.assign(rel.columns.size(), false);
    rel.ignored.assign(rel.columns.size(), false);
    rel.any_redacted = rel.any_ignored = false;
    for (std::size_t i = 0; i < rel.columns.size(); i++) {
        rel.redacted[i] = any_column_matches(filters_.redact, rel.schema, rel.name, rel.columns[i].name);
        rel.ignored[i] = any_column_matches(filters_.ignore_columns, rel.schema, rel.name, rel.columns[i].name);
        rel.any_redacted = rel.any_redacted || rel.redacted[i];
        rel.any_ignored = rel.any_ignored || rel.ignored[i];
    }
}

bool PgoutputDecoder::only_ignored_changed(const RelationInfo &rel) const {
    const auto &before = update_.old_tuple, &after = update_.new_tuple;
    if (before.size() != rel.columns.size() || after.size() != rel.columns.size()) return false;
    bool ignored_changed = false;
    for (std::size_t i = 0; i < after.size(); i++) {
        // 'u': an unchanged TOASTed value; else equal kinds and texts are equal values.
        bool same = after[i].kind == 'u' || (after[i].kind == before[i].kind && after[i].data == before[i].data);
        if (same) continue;
        if (!rel.ignored[i]) return false;
        ignored_changed = true;
    }
    return ignored_changed;  // an UPDATE that changed nothing is recorded
}

std::optional<std::string> PgoutputDecoder::catalog_query() {
    if (!relations_to_load_.empty()) {
        asked_.assign(relations_to_load_.begin(), relations_to_load_.end());
        relations_to_load_.clear();
        pending_ = Pending::Relations;
        return bind_oids(sql_files::kPgoutputRelationsSql, asked_);
    }
    if (types_wanted_.empty()) return std::nullopt;
    std::vector<TypeOid> missing = types_.missing(types_wanted_);
    if (missing.empty()) {
        types_wanted_.clear();
        return std::nullopt;
    }
    asked_ = missing;
    pending_ = Pending::Types;
    return TypeCatalog::query(missing);
}

void PgoutputDecoder::on_catalog_rows(const std::vector<std::string> &rows) {
    Pending pending = std::exchange(pending_, Pending::None);
    if (pending == Pending::Types) {
        for (const auto &row : rows) types_.load_row(row);
        for (TypeOid oid : asked_)
            if (!types_.find(oid) && types_.missing({oid}) == std::vector<TypeOid>{oid}) types_.mark_unknown(oid);
        return;
    }
    if (pending != Pending::Relations) return;
    simdjson::ondemand::parser parser;
    for (const auto &row : rows) {
        try {
            simdjson::padded_string padded(row);
            auto doc = parser.iterate(padded);
            auto oid = static_cast<pgoutput::Oid>(std::uint64_t(doc["oid"]));
            auto it = relations_.find(oid);
            if (it == relations_.end()) continue;
            RelationInfo &rel = it->second;
            rel.schema = std::string(std::string_view(doc["schema"]));
            rel.name = std::string(std::string_view(doc["name"]));
            std::string replident{std::string_view(doc["replident"])};
            std::vector<std::string> pk = json_string_array(doc["pk"]);
            std::vector<std::string> identity = json_string_array(doc["identity"]);
            // As the plugin: the primary key, else the replica identity index, else none.
            set_keys(rel, !pk.empty() ? pk : replident == "i" ? identity : std::vector<std::string>{});
            rel.tracked = passes_filters(rel);
            apply_column_rules(rel);
        } catch (const simdjson::simdjson_error &error) {
            throw DecodeError(std::string("a relation catalog row is malformed: ") + error.what());
        }
    }
}

const PgoutputDecoder::RelationInfo *PgoutputDecoder::relation(pgoutput::Oid oid) const {
    auto it = relations_.find(oid);
    if (it == relations_.end()) throw DecodeError("a pgoutput change for relation " + std::to_string(oid) + " before its Relation message");
    return &it->second;
}

void PgoutputDecoder::render(const RelationInfo &rel, const std::vector<pgoutput::TupleValue> &tuple,
                             const std::vector<pgoutput::TupleValue> *toast_source, bool key_only, std::string &out,
                             std::vector<std::pair<std::size_t, std::size_t>> &spans, bool collect_unchanged,
                             const std::vector<pgoutput::TupleValue> *reread_by) {
    if (tuple.size() != rel.columns.size()) throw DecodeError("a pgoutput tuple does not match its relation's columns");
    spans.assign(rel.columns.size(), {kNoSpan, 0});
    out.push_back('{');
    bool first = true;
    for (std::size_t i = 0; i < tuple.size(); i++) {
        const pgoutput::TupleValue *value = &tuple[i];
        if (key_only && value->kind == 'n') continue;
        if (value->kind == 'u') {
            // An unchanged TOASTed value: the old row has it under REPLICA IDENTITY FULL (or as a key).
            const pgoutput::TupleValue *old = toast_source ? &(*toast_source)[i] : nullptr;
            if (!old || old->kind != 't') {
                if (collect_unchanged) unchanged_.push_back(rel.columns[i].name);
                continue;
            }
            value = old;
        }
        if (!first) out.push_back(',');
        first = false;
        out += rel.columns[i].json_key;
        std::size_t start = out.size();
        bool last_read = !reread_by || i >= reread_by->size() || (*reread_by)[i].kind != 'u';
        if (value->kind == 'n')
            out += "null";
        else if (value->kind == 't' && rel.any_redacted && rel.redacted[i])
            append_redacted(out, value->data, rel.columns[i].type);
        else if (value->kind == 't')
            append_value(out, value->data, rel.columns[i].type, last_read);
        else
            throw DecodeError("a pgoutput value in binary format (the slot must be read with binary off)");
        spans[i] = {start, out.size() - start};
    }
    out.push_back('}');
}

void PgoutputDecoder::append_value(std::string &out, std::string_view text, TypeOid type, bool last_read) {
    if (!last_read || !releasable_input_ || text.size() < kReleaseAbove || !convert_.renders_as_string(type)) {
        convert_.append(out, text, type);
        return;
    }
    // Room for the whole string at once: growing by doubling would hold two copies of it.
    constexpr std::size_t kRestOfImage = 64 * 1024;
    out.reserve(out.size() + json_string_size(text.data(), text.size()) + kRestOfImage);
    constexpr std::size_t kPiece = 256 * 1024;
    out.push_back('"');
    PageReleaser converted(text.data());
    for (std::size_t at = 0; at < text.size(); at += kPiece) {
        std::string_view piece = text.substr(at, kPiece);
        append_json_string_body(out, piece);
        converted.read_up_to(piece.data() + piece.size());
    }
    out.push_back('"');
}

void PgoutputDecoder::append_redacted(std::string &out, std::string_view text, TypeOid type) {
    redact_scratch_.clear();
    convert_.append(redact_scratch_, text, type);
    redactor_.append(out, redact_scratch_);
    redact_scratch_.assign(redact_scratch_.size(), '\0');  // the value does not linger in memory
}

void PgoutputDecoder::key_values(const RelationInfo &rel, const std::string &image,
                                 const std::vector<std::pair<std::size_t, std::size_t>> &spans,
                                 std::vector<KeyValue> &out, std::vector<std::string> &texts) {
    out.clear();
    texts.assign(rel.key.size(), std::string());
    for (std::size_t k = 0; k < rel.key.size(); k++)
        if (spans[rel.key[k]].first == kNoSpan) return;  // the image lacks a key column: no key values
    for (std::size_t k = 0; k < rel.key.size(); k++) {
        auto [start, len] = spans[rel.key[k]];
        KeyValue kv;
        kv.raw = kv.text = std::string_view(image).substr(start, len);
        if (kv.raw == "null") {
            kv.is_null = true;
        } else if (kv.raw[0] == '"') {
            kv.is_string = true;
            texts[k] = unescape_json_string(kv.raw);
            kv.text = texts[k];
        }
        out.push_back(kv);
    }
}

void PgoutputDecoder::on_row(char op, pgoutput::MessageCursor &in, std::uint64_t lsn, EventHandler &handler) {
    const std::vector<pgoutput::TupleValue> *old_tuple = nullptr, *new_tuple = nullptr;
    char old_kind = 0;
    pgoutput::Oid oid = 0;
    if (op == 'I') {
        pgoutput::read_insert(in, insert_);
        oid = insert_.relation;
        new_tuple = &insert_.new_tuple;
    } else if (op == 'U') {
        pgoutput::read_update(in, update_);
        oid = update_.relation;
        old_kind = update_.old_kind;
        if (old_kind) old_tuple = &update_.old_tuple;
        new_tuple = &update_.new_tuple;
    } else {
        pgoutput::read_delete(in, delete_);
        oid = delete_.relation;
        old_kind = delete_.old_kind;
        old_tuple = &delete_.old_tuple;
    }
    if (skipped_) return;
    const RelationInfo &rel = *relation(oid);
    if (!rel.tracked) return;
    // --ignore-columns needs the whole old row ('O': REPLICA IDENTITY FULL); without it the UPDATE is recorded.
    if (op == 'U' && rel.any_ignored && old_kind == 'O' && only_ignored_changed(rel)) return;
    begin_if_needed(handler);
    before_.clear();
    after_.clear();
    unchanged_.clear();
    change_.before_key.clear();
    change_.after_key.clear();
    if (old_tuple) {
        render(rel, *old_tuple, nullptr, old_kind == 'K', before_, before_spans_, false, new_tuple);
        key_values(rel, before_, before_spans_, change_.before_key, before_texts_);
    }
    if (new_tuple) {
        render(rel, *new_tuple, old_tuple, false, after_, after_spans_, true, nullptr);
        key_values(rel, after_, after_spans_, change_.after_key, after_texts_);
    }
    change_.op = op;
    change_.lsn = lsn;
    change_.schema = rel.schema;
    change_.table = rel.name;
    change_.key_columns = rel.key_names;
    change_.before = before_;
    change_.after = after_;
    change_.unchanged.assign(unchanged_.begin(), unchanged_.end());
    change_.images_releasable = true;  // before_ and after_ are written anew for every row
    handler.on_row_change(change_);
}

void PgoutputDecoder::on_truncate(pgoutput::MessageCursor &in, std::uint64_t lsn, EventHandler &handler) {
    pgoutput::read_truncate(in, truncate_);
    if (skipped_) return;
    std::vector<const RelationInfo *> reported;
    for (pgoutput::Oid oid : truncate_.relations) {
        const RelationInfo *rel = relation(oid);
        if (!rel->tracked) continue;
        // Partitions truncated with their root: one event for the root.
        bool seen = false;
        for (const auto *r : reported) seen = seen || (r->schema == rel->schema && r->name == rel->name);
        if (seen) continue;
        reported.push_back(rel);
        begin_if_needed(handler);
        handler.on_truncate(TruncateEvent{lsn, rel->schema, rel->name, truncate_.cascade, truncate_.restart_identity});
    }
}

}  // namespace pgtrail
