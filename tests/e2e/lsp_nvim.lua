-- Drives `sparkc lsp` from Neovim's built-in LSP client (headless): the
-- diagnostics of an error appear and clear, hover, definition across an
-- import, completion of a field, formatting. Run by lsp_nvim.sh with
-- SPARKC and WORK set; exits 0 when every check held.
local sparkc, work = os.getenv("SPARKC"), os.getenv("WORK")
local failures = 0
local function check(ok, what, detail)
  if ok then
    io.stdout:write("ok: " .. what .. "\n")
  else
    failures = failures + 1
    io.stdout:write("FAIL: " .. what .. (detail and (": " .. vim.inspect(detail)) or "") .. "\n")
  end
end

vim.cmd("edit " .. work .. "/main.spark")
local buf = vim.api.nvim_get_current_buf()
-- SPARKC_LSP_RECORD=FILE keeps what Neovim sent (tests/fixtures/lsp).
local record = os.getenv("SPARKC_LSP_RECORD")
local cmd = record and { "sh", "-c", 'tee "$0" | "$1" lsp', record, sparkc } or { sparkc, "lsp" }
local client_id = vim.lsp.start_client({ name = "sparkc", cmd = cmd, root_dir = work })
vim.lsp.buf_attach_client(buf, client_id)
local client = vim.lsp.get_client_by_id(client_id)
check(vim.wait(10000, function() return client.initialized end, 20), "the server initializes")

local function diags() return vim.diagnostic.get(buf) end
check(vim.wait(10000, function() return #diags() > 0 end, 20), "the unknown name is reported")
local d = diags()[1] or {}
local want = io.open(work .. "/expected_message.txt"):read("a"):gsub("\n$", "")
check(d.code == "E0102" and d.message:sub(1, #want) == want and d.lnum == 3,
      "the diagnostic has the code, message and line of `sparkc check`", { d, want })

local function request(method, params)
  local r = client.request_sync(method, params, 10000, buf)
  return r and r.result, r and r.err
end
local uri = vim.uri_from_bufnr(buf)

-- The quick fix the diagnostic offers is its suggestion.
local actions = request("textDocument/codeAction", { textDocument = { uri = uri },
  range = { start = { line = 3, character = 0 }, ["end"] = { line = 3, character = 60 } },
  context = { diagnostics = vim.lsp.diagnostic.get_line_diagnostics(buf, 3) } }) or {}
check(#actions == 1 and actions[1].title == "Change to `lib.round`", "a quick fix for the unknown name", actions)

-- Fix it in the buffer (not on disk): the diagnostic clears.
local lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
for i, l in ipairs(lines) do
  if l:find("ruond", 1, true) then
    vim.api.nvim_buf_set_lines(buf, i - 1, i, false, { (l:gsub("ruond", "round")) })
  end
end
check(vim.wait(10000, function() return #diags() == 0 end, 20), "the fix clears the diagnostic", diags())

local function at(pattern, offset)
  for i, l in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do
    local col = l:find(pattern, 1, true)
    if col then return { textDocument = { uri = vim.uri_from_bufnr(buf) }, position = { line = i - 1, character = col - 1 + (offset or 0) } } end
  end
  error("no " .. pattern)
end

local hover = request("textDocument/hover", at("rig.gpu.memory", 9))
local text = hover and hover.contents and hover.contents.value or ""
check(text:find("size = 80 GiB", 1, true) ~= nil, "hover shows the evaluated value of rig.gpu.memory", text)

local def = request("textDocument/definition", at("lib.round", 5))
local loc = def and (def[1] or def) or {}
check(loc.uri ~= nil and loc.uri:find("lib.spark", 1, true) ~= nil and loc.range.start.line == 1,
      "definition goes across the import to lib.spark", def)

local refs = request("textDocument/references", vim.tbl_extend("force", at("step prepare", 6), { context = { includeDeclaration = true } })) or {}
check(#refs == 2, "references of a step: its declaration and the `after` naming it", refs)

local symbols = request("textDocument/documentSymbol", { textDocument = { uri = uri } }) or {}
local names = {}
for _, s in ipairs(symbols) do table.insert(names, s.name) end
check(table.concat(names, ",") == "rig,prepare,cut", "the outline", names)

local tokens = request("textDocument/semanticTokens/full", { textDocument = { uri = uri } }) or {}
check(tokens.data ~= nil and #tokens.data > 0 and #tokens.data % 5 == 0, "semantic tokens", tokens)

-- Complete a field in a step block being written.
local n = #vim.api.nvim_buf_get_lines(buf, 0, -1, false)
vim.api.nvim_buf_set_lines(buf, n, n, false, { "step extra {", "  tim", "}" })
local items = request("textDocument/completion", { textDocument = { uri = vim.uri_from_bufnr(buf) }, position = { line = n + 1, character = 5 } })
local labels = {}
for _, item in ipairs((items and (items.items or items)) or {}) do labels[item.label] = true end
check(labels["timeout"] and labels["undo"] and not labels["exec"], "completion offers the step's fields", vim.tbl_keys(labels))
vim.api.nvim_buf_set_lines(buf, n, n + 3, false, {})

-- Format: the badly spaced line is laid out as `sparkc fmt` would.
vim.lsp.buf.formatting_sync(nil, 10000)
local formatted = table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), "\n") .. "\n"
local want = io.open(work .. "/formatted.spark"):read("a")
check(formatted == want, "formatting gives what `sparkc fmt` gives", formatted)

vim.lsp.stop_client(client_id)
vim.wait(5000, function() return vim.lsp.get_client_by_id(client_id) == nil end, 20)
io.stdout:write(failures == 0 and "all checks held\n" or (failures .. " checks failed\n"))
vim.cmd(failures == 0 and "qall!" or "cquit! 1")
