// libFuzzer target over the sink's pure pipeline, fed with the plugin's format: newline
// separated records go through PgtrailDecoder, ContextStitcher, ChangeEncoder and
// render_primary_key as the session drives them (tests/fuzz/README.md).
// Invariants beyond "no crash, no hang, no sanitizer report":
//   - the decoder throws only DecodeError (anything else would make the sink retry forever);
//   - every COPY row has exactly 16 fields (escaping never leaks a tab or a newline);
//   - the stitched context is always a JSON object.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <string_view>

#include <simdjson.h>

#include "stream/change_encoder.h"
#include "stream/primary_key.h"
#include "decode/pgtrail_decoder.h"
#include "stream/stitcher.h"

namespace {

constexpr std::size_t count_fields(std::string_view columns) {
    std::size_t fields = 1;
    for (char c : columns) fields += c == ',';
    return fields;
}
constexpr std::size_t kCopyFields = count_fields(pgtrail::kCopyColumns);

[[noreturn]] void violated(const char *what, std::string_view detail) {
    std::fprintf(stderr, "invariant violated: %s: %.*s\n", what, static_cast<int>(std::min<std::size_t>(detail.size(), 300)),
                 detail.data());
    std::abort();
}

void check_rows(std::string_view rows) {
    while (!rows.empty()) {
        auto end = rows.find('\n');
        if (end == std::string_view::npos) violated("COPY row without newline", rows);
        std::string_view row = rows.substr(0, end);
        std::size_t tabs = 0;
        for (char c : row) tabs += c == '\t';
        if (tabs != kCopyFields - 1) violated("COPY row field count", row);
        rows.remove_prefix(end + 1);
    }
}

void check_context(simdjson::dom::parser &parser, std::string_view context) {
    simdjson::dom::element doc;
    if (parser.parse(context.data(), context.size(), true).get(doc) || !doc.is_object())
        violated("context is not a JSON object", context);
}

/// Drives the stitcher and the encoder as the session does, checking each row.
struct Pipeline : pgtrail::EventHandler {
    pgtrail::ContextStitcher stitcher{{"_bemi", "ctx"}, 512};
    pgtrail::ChangeEncoder encoder{"fuzz\tdb"};
    simdjson::dom::parser &validator;
    bool in_xact = false;

    explicit Pipeline(simdjson::dom::parser &v) : validator(v) {}
    void on_begin(const pgtrail::BeginEvent &event) override {
        if (in_xact) return;
        in_xact = true;
        stitcher.begin();
        encoder.begin(event);
    }
    void on_message(const pgtrail::MessageEvent &event) override {
        if (!in_xact || !event.transactional) return;
        stitcher.on_message(true, event.prefix, event.content);
        check_context(validator, stitcher.current());
        if (stitcher.is_context_prefix(event.prefix)) encoder.set_context(stitcher.current());
    }
    void on_row_change(const pgtrail::RowChangeEvent &event) override {
        if (!in_xact) return;
        (void)pgtrail::render_primary_key(pgtrail::key_values_of(event));
        encoder.add(event, "2026-11-21 10:00:00.000000+00");
        flush();
    }
    void on_truncate(const pgtrail::TruncateEvent &event) override {
        if (!in_xact) return;
        encoder.add(event, "2026-11-21 10:00:00.000000+00");
        flush();
    }
    void on_commit(const pgtrail::CommitEvent &) override { in_xact = false; }
    void flush() {
        check_rows(encoder.ready());
        encoder.consume_ready();
    }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    static pgtrail::PgtrailDecoder decoder;
    static simdjson::dom::parser validator;
    Pipeline pipeline(validator);
    std::string_view input(reinterpret_cast<const char *>(data), size);
    while (!input.empty()) {
        auto end = input.find('\n');
        std::string_view line = input.substr(0, end);
        input.remove_prefix(end == std::string_view::npos ? input.size() : end + 1);
        try {
            decoder.decode(line, 0, pipeline);
        } catch (const pgtrail::DecodeError &) {
            continue;
        }
    }
    return 0;
}
