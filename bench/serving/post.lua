-- wrk script for the serving benchmark: POST $BODY as JSON (a GET when $BODY is empty), with a bearer $TOKEN when
-- given, and, when $DELAY_MS is set, a pause of that many milliseconds before each request of a connection (a fixed
-- request rate).
local body = os.getenv("BODY")
if body ~= nil and body ~= "" then
  wrk.method = "POST"
  wrk.body = body
  wrk.headers["Content-Type"] = "application/json"
end
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
