//! The IPC commands the console calls (ui/src/lib/ipc/tauri.ts), one module per area.
//! Each one only translates: the work belongs in `switchboard-client`. Every command
//! here is granted in src-tauri/permissions and the main capability.

pub mod chats;
pub mod console;
pub mod desktop;
pub mod history;
pub mod missed;
pub mod session;
