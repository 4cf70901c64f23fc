// Transactions into messages.
#include "nats/message_builder.h"

namespace pgtrail {

void MessageBuilder::begin(std::uint64_t commit_lsn, std::uint32_t first_chunk) {
    commit_lsn_ = commit_lsn;
    next_chunk_ = first_chunk;
    open_.reset();
}

void MessageBuilder::add(std::string_view subject, std::string_view line, std::uint32_t ordinal) {
    if (line.size() > max_body_)
        throw OversizedChange("a change of " + std::string(subject) + " is " + std::to_string(line.size()) +
                              " bytes as JSON, more than fits in one NATS message (" + std::to_string(max_body_) +
                              " bytes under the server's max_payload): raise max_payload in the NATS servers' configuration");
    if (open_ && (open_->subject != subject || open_->body.size() + line.size() > max_body_)) seal();
    if (!open_) {
        open_.emplace();
        open_->subject.assign(subject);
        open_->commit_lsn = commit_lsn_;
        open_->chunk = next_chunk_++;
    }
    open_->body.append(line);
    open_->last_ordinal = ordinal;
}

void MessageBuilder::seal() {
    sealed_bytes_ += open_->body.size();
    sealed_.push_back(std::move(*open_));
    open_.reset();
}

bool MessageBuilder::commit(std::uint64_t end_lsn, std::string_view commit_time) {
    if (!open_) return false;  // a transaction's messages are sealed only when another one follows: none here
    open_->final = true;
    open_->end_lsn = end_lsn;
    open_->committed_at.assign(commit_time);
    seal();
    return true;
}

void MessageBuilder::pop_front(std::size_t count) {
    for (; count > 0 && !sealed_.empty(); count--) {
        sealed_bytes_ -= sealed_.front().body.size();
        sealed_.pop_front();
    }
}

}  // namespace pgtrail
