// The dump pipe's framing, both halves: dump::write_dump (the worker's) into
// a real pipe, DumpAssembler (the arbiter's) putting the frames back
// together, however the reads split them and however workers interleave.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <string>
#include <unistd.h>

#include "arbiter/dump_inbox.hpp"
#include "worker/dump_protocol.hpp"

namespace hornet {
namespace {

// Everything written to a pipe so far (small enough to sit in its buffer).
class Pipe {
public:
    Pipe() {
        EXPECT_EQ(::pipe(fds_), 0);
        ::fcntl(fds_[0], F_SETPIPE_SZ, 1 << 20);
        ::fcntl(fds_[0], F_SETFL, O_NONBLOCK);
    }
    ~Pipe() {
        ::close(fds_[0]);
        ::close(fds_[1]);
    }
    int write_end() const { return fds_[1]; }
    std::string drain() {
        std::string out;
        char buf[4096];
        ssize_t n;
        while ((n = ::read(fds_[0], buf, sizeof buf)) > 0) out.append(buf, static_cast<std::size_t>(n));
        return out;
    }

private:
    int fds_[2];
};

std::string text_of(std::size_t bytes, char seed) {
    std::string s;
    for (std::size_t i = 0; i < bytes; ++i) s += static_cast<char>('a' + (seed + i) % 26);
    return s;
}

TEST(DumpInbox, ASmallDumpIsOneFrame) {
    Pipe pipe;
    ASSERT_TRUE(dump::write_dump(pipe.write_end(), 42, "thread 42: idle\n"));
    const std::string bytes = pipe.drain();
    EXPECT_EQ(bytes.size(), sizeof(dump::FrameHead) + 16);
    DumpAssembler a;
    auto dumps = a.feed(bytes);
    ASSERT_EQ(dumps.size(), 1u);
    EXPECT_EQ(dumps[0].pid, 42);
    EXPECT_EQ(dumps[0].text, "thread 42: idle\n");
}

TEST(DumpInbox, ALongDumpSplitAcrossFramesAndReadsComesBackWhole) {
    Pipe pipe;
    const std::string big = text_of(5 * dump::kFramePayload + 17, 0);
    ASSERT_TRUE(dump::write_dump(pipe.write_end(), 7, big));
    const std::string bytes = pipe.drain();
    for (std::size_t every : {1u, 3u, 1000u, 4096u}) {
        DumpAssembler a;
        std::vector<ReceivedDump> dumps;
        for (std::size_t at = 0; at < bytes.size(); at += every)
            for (auto& d : a.feed(std::string_view(bytes).substr(at, every))) dumps.push_back(std::move(d));
        ASSERT_EQ(dumps.size(), 1u) << "reads of " << every;
        EXPECT_EQ(dumps[0].text, big) << "reads of " << every;
    }
}

TEST(DumpInbox, FramesOfTwoWorkersInterleavedAreToldApart) {
    Pipe one, two;
    const std::string a_text = text_of(2 * dump::kFramePayload + 5, 1), b_text = text_of(dump::kFramePayload + 9, 2);
    dump::write_dump(one.write_end(), 100, a_text);
    dump::write_dump(two.write_end(), 200, b_text);
    const std::string a = one.drain(), b = two.drain();
    const std::size_t frame = dump::kFrameBytes;
    // a's first frame, b's first, a's second, b's last, a's last: as two
    // workers writing at once could leave them in the shared pipe.
    const std::string mixed = a.substr(0, frame) + b.substr(0, frame) + a.substr(frame, frame) + b.substr(frame) +
                              a.substr(2 * frame);
    DumpAssembler asm_;
    auto dumps = asm_.feed(mixed);
    ASSERT_EQ(dumps.size(), 2u);
    EXPECT_EQ(dumps[0].pid, 200);
    EXPECT_EQ(dumps[0].text, b_text);
    EXPECT_EQ(dumps[1].pid, 100);
    EXPECT_EQ(dumps[1].text, a_text);
}

TEST(DumpInbox, AHalfSentDumpOfAGoneWorkerIsForgotten) {
    Pipe pipe;
    dump::write_dump(pipe.write_end(), 9, text_of(dump::kFramePayload + 1, 3));
    const std::string bytes = pipe.drain();
    DumpAssembler a;
    EXPECT_TRUE(a.feed(bytes.substr(0, dump::kFrameBytes)).empty()); // the worker died here
    a.forget_unless([](pid_t) { return false; });
    Pipe again;
    dump::write_dump(again.write_end(), 9, "fresh\n"); // the pid came back
    auto dumps = a.feed(again.drain());
    ASSERT_EQ(dumps.size(), 1u);
    EXPECT_EQ(dumps[0].text, "fresh\n");
}

TEST(DumpInbox, AnOverlongDumpIsCutAndSaysSo) {
    DumpAssembler a;
    std::vector<ReceivedDump> dumps;
    const std::string chunk = text_of(512 * 1024, 4);
    for (int i = 0; i < 20; ++i) { // 10 MiB, more than kMaxDumpBytes
        dump::FrameHead head{5, 0, 0, 0};
        std::string frames;
        for (std::size_t at = 0; at < chunk.size(); at += dump::kFramePayload) {
            const std::string part = chunk.substr(at, dump::kFramePayload);
            head.length = static_cast<std::uint16_t>(part.size());
            head.last = (i == 19 && at + dump::kFramePayload >= chunk.size()) ? 1 : 0;
            frames.append(reinterpret_cast<const char*>(&head), sizeof head);
            frames += part;
        }
        for (auto& d : a.feed(frames)) dumps.push_back(std::move(d));
    }
    ASSERT_EQ(dumps.size(), 1u);
    EXPECT_LE(dumps[0].text.size(), DumpAssembler::kMaxDumpBytes);
    EXPECT_NE(dumps[0].text.find("(the rest of this dump was cut)"), std::string::npos);
}

} // namespace
} // namespace hornet
