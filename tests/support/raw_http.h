// A client that writes raw bytes, for requests no HTTP library sends (smuggling
// shapes, a missing Host, absolute-form targets), and reads the answers as a
// client would: every response, in order, until the server closes.
#pragma once

#include <sys/socket.h>
#include <sys/time.h>

#include <cstdint>
#include <string>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>

namespace faultline::testing {

class RawHttpConnection {
 public:
  using Response = boost::beast::http::response<boost::beast::http::string_body>;

  explicit RawHttpConnection(uint16_t port) {
    socket_.connect({boost::asio::ip::make_address("127.0.0.1"), port});
    // A server that neither answers nor closes fails the test instead of hanging it.
    timeval timeout{10, 0};
    setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  }

  void send(const std::string& bytes) { boost::asio::write(socket_, boost::asio::buffer(bytes)); }

  // The next response; for an answer to HEAD, `head` reads no body.
  bool read(Response& response, bool head = false) {
    boost::beast::http::response_parser<boost::beast::http::string_body> parser;
    parser.body_limit(std::uint64_t{1} << 30);
    parser.skip(head);
    boost::beast::error_code ec;
    boost::beast::http::read(socket_, buffer_, parser, ec);
    if (ec) return false;
    response = parser.release();
    return true;
  }

  // Every response (interim 1xx ones included) until the server closes the connection.
  std::vector<Response> read_until_closed() {
    std::vector<Response> responses;
    for (Response response; read(response);) responses.push_back(std::move(response));
    return responses;
  }

 private:
  boost::asio::io_context ioc_;
  boost::asio::ip::tcp::socket socket_{ioc_};
  boost::beast::flat_buffer buffer_;
};

}  // namespace faultline::testing
