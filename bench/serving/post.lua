-- wrk script for the serving benchmark: POST $BODY as JSON, with a bearer $TOKEN when given, and, when $DELAY_MS is
-- set, a pause of that many milliseconds before each request of a connection (a fixed request rate).
wrk.method = "POST"
wrk.body = os.getenv("BODY")
wrk.headers["Content-Type"] = "application/json"
local token = os.getenv("TOKEN")
if token ~= nil and token ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. token
end
local pause = tonumber(os.getenv("DELAY_MS") or "0")
if pause > 0 then
  function delay()
    return pause
  end
end
