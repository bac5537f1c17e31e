// The built-in live scenarios. See live_scenarios.hpp.
//
// echo — the smallest real network service there is. One task listens on 127.0.0.1 (port 0: the
// kernel picks a free one) and spawns a task per connection that sends back whatever it reads. A few
// clients connect at once, each sends its lines with a real pause between them and waits for each
// echo. Watch for: the connection tasks spending nearly all their time idle (parked in the reactor),
// woken with source "io" when a line arrives; the two worker lanes taking turns; a client's task
// woken by a timer after each pause.
#include "live_scenarios.hpp"

#include <stdexcept>
#include <string>
#include <utility>

#include "asynclab/asynclab.hpp"
#include "asynclab/net/tcp.hpp"

namespace asynclab::cli {

namespace {

using namespace std::chrono_literals;
using net::SocketAddr;
using net::TcpListener;
using net::TcpStream;

// Everything in a scenario is bounded: a live program must not outlive the learner's patience.
constexpr Duration scenario_deadline = 10s;

template <class T>
T must(net::IoResult<T> r, const char* what) {
  if (!r) throw std::runtime_error(std::string(what) + ": " + r.error().message());
  if constexpr (!std::is_void_v<T>) return std::move(*r);
}

// One connection: whatever arrives goes straight back, until the client closes its side.
Task<void> serve_connection(TcpStream stream) {
  char buf[512];
  for (;;) {
    auto reading = stream.read(std::span<char>(buf, sizeof buf));
    const std::size_t n = must(co_await reading, "server read");
    if (n == 0) break;
    auto writing = stream.write_all(std::string_view(buf, n));
    must(co_await writing, "server write");
  }
  must(stream.shutdown(), "server shutdown");
}

Task<void> serve(TcpListener listener, int connections) {
  std::vector<JoinHandle<void>> served;
  for (int i = 0; i < connections; ++i) {
    auto accepting = listener.accept();
    auto accepted = co_await accepting;
    auto [stream, peer] = must(std::move(accepted), "accept");
    (void)peer;
    auto connection = serve_connection(std::move(stream));
    served.push_back(spawn(std::move(connection), "connection " + std::to_string(i + 1)));
  }
  for (auto& handle : served) {
    auto done = co_await handle;
    if (!done) throw std::runtime_error("a connection task failed");
  }
}

// A client: its lines one at a time, each echo awaited, a real pause between them.
Task<void> client(SocketAddr server, int number, LiveScenarioOptions options, std::stop_token stop) {
  auto connecting = TcpStream::connect(server);
  TcpStream stream = must(co_await connecting, "connect");
  char buf[512];
  for (int line = 1; line <= options.lines && !stop.stop_requested(); ++line) {
    const std::string text = "client " + std::to_string(number) + " line " + std::to_string(line) + "\n";
    auto writing = stream.write_all(text);
    must(co_await writing, "client write");
    std::size_t echoed = 0;
    while (echoed < text.size()) {
      auto reading = stream.read(std::span<char>(buf, sizeof buf));
      const std::size_t n = must(co_await reading, "client read");
      if (n == 0) throw std::runtime_error("the server closed the connection early");
      echoed += n;
    }
    auto pausing = sleep(options.pause);
    co_await pausing;
  }
  must(stream.shutdown(), "client shutdown");
  auto reading = stream.read(std::span<char>(buf, sizeof buf));  // the server's close
  must(co_await reading, "client read to end");
}

Task<void> echo_main(LiveScenarioOptions options, std::stop_token stop) {
  auto binding = TcpListener::bind(SocketAddr::localhost(0));
  TcpListener listener = must(co_await binding, "bind 127.0.0.1:0");
  const SocketAddr address = must(listener.local_addr(), "local_addr");
  auto serving = serve(std::move(listener), options.clients);
  auto server = spawn(std::move(serving), "echo server");
  std::vector<JoinHandle<void>> clients;
  for (int i = 1; i <= options.clients; ++i) {
    auto talking = client(address, i, options, stop);
    clients.push_back(spawn(std::move(talking), "client " + std::to_string(i)));
  }
  for (auto& handle : clients) {
    auto done = co_await handle;
    if (!done) throw std::runtime_error("a client task failed");
  }
  auto served = co_await server;
  if (!served) throw std::runtime_error("the echo server failed");
}

void run_echo(trace::Recorder& recorder, std::stop_token stop, const LiveScenarioOptions& options) {
  auto rt = Runtime::builder().multi_thread(2).trace(recorder).build();
  auto scenario = echo_main(options, stop);
  auto bounded = timeout(scenario_deadline, std::move(scenario));
  auto finished = rt.block_on(std::move(bounded));
  if (!finished) throw std::runtime_error("the echo scenario did not finish within 10 s");
}

}  // namespace

const std::vector<LiveScenario>& live_scenarios() {
  static const std::vector<LiveScenario> all = {
      {"echo", "a TCP echo server on 127.0.0.1 and clients sending lines with pauses, on 2 worker threads",
       run_echo},
  };
  return all;
}

const LiveScenario* find_live_scenario(std::string_view name) {
  for (const LiveScenario& s : live_scenarios())
    if (s.name == name) return &s;
  return nullptr;
}

}  // namespace asynclab::cli
