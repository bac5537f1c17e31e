// expect-verdict: failed
// expect-message: the image of api.example/users was requested at 300 ms, though the page had answered at 100 ms
// Known wrong: the right total, errors returned, the pages joined — then the images joined: each
// image waits for the slowest page, and the run ends at 550 ms instead of 350.
#include <cstddef>
#include <expected>
#include <string>

#include "asynclab/asynclab.hpp"
#include "page.hpp"

using namespace asynclab;

Task<std::expected<std::size_t, sim::http::HttpError>> total_bytes(std::string a, std::string b, std::string c) {
  auto [pa, pb, pc] = co_await join(sim::http::get(a), sim::http::get(b), sim::http::get(c));
  if (!pa) co_return std::unexpected(pa.error());
  if (!pb) co_return std::unexpected(pb.error());
  if (!pc) co_return std::unexpected(pc.error());
  auto [ia, ib, ic] = co_await join(sim::http::get(image_of(pa->body).value_or("")),
                                    sim::http::get(image_of(pb->body).value_or("")),
                                    sim::http::get(image_of(pc->body).value_or("")));
  if (!ia) co_return std::unexpected(ia.error());
  if (!ib) co_return std::unexpected(ib.error());
  if (!ic) co_return std::unexpected(ic.error());
  co_return pa->body.size() + pb->body.size() + pc->body.size() + ia->body.size() + ib->body.size() +
            ic->body.size();
}
