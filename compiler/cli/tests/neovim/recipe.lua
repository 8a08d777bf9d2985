-- Run after editors/README.md's Neovim 0.7 recipe was loaded as init.lua, with `ward` on
-- PATH: opening a .ward file must make it a Ward buffer and start one `ward lsp` for the
-- project, which answers; opening a second file of the project attaches it to the same
-- server. compiler/cli/tests/neovim.rs reads the result file this writes.

local root = os.getenv("WARD_PROJECT")
local out = os.getenv("WARD_RESULT")
local WAIT = 20000
local result = {}

local function clients_of(buf)
  local ids = {}
  for id, _ in pairs(vim.lsp.buf_get_clients(buf)) do table.insert(ids, id) end
  return ids
end

local function run()
  vim.cmd("edit " .. root .. "/channels/named_pipes.ward")
  local buf = vim.api.nvim_get_current_buf()
  result.filetype = vim.bo[buf].filetype
  result.commentstring = vim.bo[buf].commentstring
  if not vim.wait(WAIT, function() return #clients_of(buf) > 0 end, 20) then
    error("no language client attached to the Ward buffer")
  end
  local id = clients_of(buf)[1]
  local client = vim.lsp.get_client_by_id(id)
  result.name = client.name
  result.root_dir = client.config.root_dir
  -- The server answers: the outline of the file.
  local answers = vim.lsp.buf_request_sync(buf, "textDocument/documentSymbol", {
    textDocument = { uri = vim.uri_from_bufnr(buf) },
  }, WAIT)
  local symbols = answers and answers[id] and answers[id].result or {}
  result.symbols = {}
  for _, s in ipairs(symbols) do table.insert(result.symbols, s.name) end

  -- A second file of the project: the same server, no second one.
  vim.cmd("edit " .. root .. "/channels/windows_process.ward")
  local second = vim.api.nvim_get_current_buf()
  vim.wait(WAIT, function() return #clients_of(second) > 0 end, 20)
  result.second_clients = clients_of(second)
  result.same_client = result.second_clients[1] == id
  result.clients = #vim.lsp.get_active_clients()

  vim.lsp.stop_client(id)
  vim.wait(WAIT, function() return client.is_stopped() end, 20)
end

local ok, err = pcall(run)
if not ok then result.error = tostring(err) end
vim.fn.writefile({ vim.fn.json_encode(result) }, out)
vim.cmd("qa!")
