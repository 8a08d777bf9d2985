-- A real editor as the client: Neovim's built-in LSP client (written for 0.7, Debian
-- bookworm's, with vim.lsp.start_client and buf_attach_client) drives `ward lsp` on the
-- example project. compiler/cli/tests/neovim.rs runs it headless and reads the result
-- file it writes: what the server said, where the jump landed, how the server exited.

local ward = os.getenv("WARD_BIN")
local root = os.getenv("WARD_PROJECT")
local out = os.getenv("WARD_RESULT")
local WAIT = 20000
local result = {}

local function finish()
  vim.fn.writefile({ vim.fn.json_encode(result) }, out)
  vim.cmd("qa!")
end

-- Waits for `done()`, or records that `what` never happened and stops.
local function await(what, done)
  if not vim.wait(WAIT, done, 20) then
    error("timed out waiting for " .. what)
  end
end

local function run()
  vim.cmd("edit " .. root .. "/channels/named_pipes.ward")
  local buf = vim.api.nvim_get_current_buf()
  local uri = vim.uri_from_bufnr(buf)
  local published = {}
  local exited = false
  local id = vim.lsp.start_client({
    name = "ward",
    cmd = { ward, "lsp" },
    root_dir = root,
    handlers = {
      ["textDocument/publishDiagnostics"] = function(err, params, ctx, config)
        if params.uri == uri then
          table.insert(published, params.diagnostics)
        end
        return vim.lsp.diagnostic.on_publish_diagnostics(err, params, ctx, config)
      end,
    },
    on_exit = function(code, signal)
      result.exit_code = code
      result.signal = signal
      exited = true
    end,
  })
  vim.lsp.buf_attach_client(buf, id)
  -- The first publish comes for the clean file, before any edit.
  await("the first publish", function() return #published > 0 end)
  result.first_publish = published[1]

  -- The channel-291 mistake: a criterion on field 21, which sensor 7.11 lacks.
  vim.fn.cursor(1, 1)
  local after = vim.fn.search("is_remote == false", "c") -- the first instance's criterion
  vim.api.nvim_buf_set_lines(buf, after, after, false, { '        pipe_sddl contains "(A;;GRGW;;;WD)"' })
  local function codes()
    local last = published[#published] or {}
    local found = {}
    for _, d in ipairs(last) do table.insert(found, d.code) end
    return found
  end
  await("the E0300 diagnostic", function() return vim.tbl_contains(codes(), "E0300") end)
  for _, d in ipairs(published[#published]) do
    if d.code == "E0300" then result.e0300 = d end
  end

  -- Searches below start at the top: the first channel is channel 291.
  local function first(pattern)
    vim.fn.cursor(1, 1)
    return vim.fn.search(pattern, "cn")
  end

  -- Go to definition of the template lands in the stdlib's file, with its text.
  local template = first("^\\s*template IpcNamedPipe") - 1
  local answers = vim.lsp.buf_request_sync(buf, "textDocument/definition", {
    textDocument = { uri = uri },
    position = { line = template, character = 16 },
  }, WAIT)
  local location = answers and answers[id] and answers[id].result
  if location and location[1] then location = location[1] end
  result.definition_uri = location and location.uri
  vim.lsp.util.jump_to_location(location, "utf-16")
  result.jumped_to = vim.api.nvim_buf_get_name(0)
  result.jumped_line = vim.api.nvim_get_current_line()
  result.jumped_lines = vim.api.nvim_buf_line_count(0)
  result.clients = #vim.lsp.get_active_clients()
  vim.cmd("buffer " .. buf)

  -- The quick fix for E0300, applied as the editor applies it.
  local actions = vim.lsp.buf_request_sync(buf, "textDocument/codeAction", {
    textDocument = { uri = uri },
    range = result.e0300.range,
    context = { diagnostics = { result.e0300 } },
  }, WAIT)
  for _, action in ipairs((actions and actions[id] and actions[id].result) or {}) do
    if action.isPreferred then
      result.fix_title = action.title
      vim.lsp.util.apply_workspace_edit(action.edit, "utf-16")
    end
  end
  result.targets_line = vim.fn.getline(first("^\\s*targets \\["))
  local before = #published
  await("the publish after the fix", function() return #published > before end)
  result.after_fix = codes()

  -- A clean shutdown: `shutdown`, then `exit`, and the server's own exit code.
  vim.lsp.stop_client(id)
  await("the server to exit", function() return exited end)
end

local ok, err = pcall(run)
if not ok then result.error = tostring(err) end
finish()
