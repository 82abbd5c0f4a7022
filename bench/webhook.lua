-- wrk's side of bench/webhook.py: each wrk thread (one connection each) sends its own
-- pre-generated requests, in order, none twice, and counts the answers that are not a
-- non-empty 200. A thread that has sent all of its requests stops and says so: the run's
-- requests/s would then be low, and bench/webhook.py flags the row.
--
--   wrk -t N -c N -d 10s --latency -s bench/webhook.lua http://127.0.0.1:PORT/ -- DIR
--
-- DIR holds 0.txt .. N-1.txt, one per thread: a request target line ("/wechat?query"),
-- then its body on one line, and so on.

local threads = {}

function setup(thread)
   thread:set("id", #threads)
   table.insert(threads, thread)
end

function init(args)
   local lines = {}
   for line in io.lines(args[1] .. "/" .. id .. ".txt") do
      lines[#lines + 1] = line
   end
   prepared = {}
   for k = 1, #lines - 1, 2 do
      prepared[#prepared + 1] =
         wrk.format("POST", lines[k], { ["Content-Type"] = "text/xml" }, lines[k + 1])
   end
   sent, bad_status, empty, ran_out = 0, 0, 0, 0
end

function request()
   sent = sent + 1
   if sent > #prepared then -- only if stop() came too late: never send one twice
      ran_out = 1
      sent = #prepared
   end
   return prepared[sent]
end

function response(status, headers, body)
   if status ~= 200 then
      bad_status = bad_status + 1
   elseif body == nil or #body == 0 then
      empty = empty + 1
   end
   if sent >= #prepared then -- wrk's own check of request() used one in thread 0: sent
      ran_out = 1
      wrk.thread:stop()
   end
end

function done(summary, latency, requests)
   local bad, blank, out = 0, 0, 0
   for _, thread in ipairs(threads) do
      bad = bad + thread:get("bad_status")
      blank = blank + thread:get("empty")
      out = out + thread:get("ran_out")
   end
   local e = summary.errors
   io.write(string.format(
      "RESULT requests=%d duration_us=%d p50_us=%d p99_us=%d bad_status=%d empty=%d "
         .. "socket_errors=%d ran_out=%d\n",
      summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
      bad, blank, e.connect + e.read + e.write + e.timeout, out))
end
