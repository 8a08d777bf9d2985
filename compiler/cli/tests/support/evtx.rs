//! A small writer of Windows event logs (.evtx), for tests: the file header, 64 KiB
//! chunks with their string and template tables, records whose BinXML is a template
//! instance (the template defined in the first record that uses it, referenced by offset
//! after), and the CRC32s of the file header, the chunk header and the records, as
//! libevtx's "Windows XML Event Log (EVTX) format" describes them.
//!
//! Each event is `<Event><System><Provider Name=%0/><EventID>%1</EventID>
//! <EventRecordID>%2</EventRecordID><TimeCreated SystemTime=%3/></System><EventData>
//! <Data Name="...">%n</Data>...</EventData></Event>`, the shape Sysmon and the Security
//! log write. A [`Entry::Raw`] record carries BinXML as given, to write a corrupt record.

use std::collections::HashMap;

const FILE_HEADER: usize = 4096;
const CHUNK: usize = 65536;
const CHUNK_HEADER: usize = 512;
const RECORD_HEADER: usize = 24;

// BinXML tokens and value types.
const END_OF_STREAM: u8 = 0x00;
const OPEN_START: u8 = 0x01;
const CLOSE_START: u8 = 0x02;
const CLOSE_EMPTY: u8 = 0x03;
const END_ELEMENT: u8 = 0x04;
const VALUE: u8 = 0x05;
const ATTRIBUTE: u8 = 0x06;
/// Set on an element that has attributes, and on an attribute that more follow.
const MORE: u8 = 0x40;
const TEMPLATE_INSTANCE: u8 = 0x0c;
const SUBSTITUTION: u8 = 0x0d;
const FRAGMENT_HEADER: [u8; 4] = [0x0f, 1, 1, 0];
const STRING: u8 = 0x01;
const UINT16: u8 = 0x06;
const UINT64: u8 = 0x0a;
const FILETIME: u8 = 0x11;

/// 2026-01-01T00:00:00Z as a FILETIME (100 ns since 1601).
const WRITTEN: u64 = 134_116_992_000_000_000;

/// One Windows event: its provider, event id and EventData, in order.
#[derive(Debug, Clone)]
pub struct Event<'a> {
    pub provider: &'a str,
    pub event_id: u16,
    pub data: Vec<(&'a str, String)>,
}

/// What one record of the file holds.
#[derive(Debug, Clone)]
pub enum Entry<'a> {
    Event(Event<'a>),
    /// The event's BinXML cut at half its length, as a crash in the middle of a write
    /// leaves it (the record's header and sizes are whole).
    Truncated(Event<'a>),
    /// BinXML bytes as they are (a valid record header and size around them).
    Raw(Vec<u8>),
}

/// A whole .evtx file holding `entries`, record ids from 1, as many chunks as they need.
pub fn file(entries: &[Entry<'_>]) -> Vec<u8> {
    let mut chunks: Vec<Chunk> = vec![Chunk::new(1)];
    for (i, entry) in entries.iter().enumerate() {
        let id = i as u64 + 1;
        if !chunks.last_mut().unwrap().add(id, entry) {
            let mut next = Chunk::new(id);
            assert!(next.add(id, entry), "record {id} is larger than a chunk");
            chunks.push(next);
        }
    }
    let last_id = entries.len() as u64;
    let mut out = vec![0u8; FILE_HEADER];
    out[..8].copy_from_slice(b"ElfFile\0");
    put_u64(&mut out, 8, 0); // first chunk
    put_u64(&mut out, 16, chunks.len() as u64 - 1); // last chunk
    put_u64(&mut out, 24, last_id + 1); // next record id
    put_u32(&mut out, 32, 128); // header size
    put_u16(&mut out, 36, 1); // minor version
    put_u16(&mut out, 38, 3); // major version
    put_u16(&mut out, 40, FILE_HEADER as u16);
    put_u16(&mut out, 42, chunks.len() as u16);
    put_u32(&mut out, 120, 0); // flags: clean, not full
    let sum = crc32(&out[..120]);
    put_u32(&mut out, 124, sum);
    for chunk in chunks {
        out.extend(chunk.finish());
    }
    out
}

/// One chunk being written: its bytes so far and the names and templates already in it
/// (later records refer to those by offset).
struct Chunk {
    data: Vec<u8>,
    first_id: u64,
    last_id: u64,
    last_record: usize,
    names: HashMap<String, u32>,
    name_buckets: [u32; 64],
    /// Each template by what it holds: its offset and id.
    templates: HashMap<String, (u32, u32)>,
    template_buckets: [u32; 32],
}

/// What a chunk knows of its names and templates, to be put back.
type Tables = (
    HashMap<String, u32>,
    [u32; 64],
    HashMap<String, (u32, u32)>,
    [u32; 32],
);

impl Chunk {
    fn new(first_id: u64) -> Chunk {
        Chunk {
            data: vec![0u8; CHUNK_HEADER],
            first_id,
            last_id: first_id.saturating_sub(1),
            last_record: 0,
            names: HashMap::new(),
            name_buckets: [0; 64],
            templates: HashMap::new(),
            template_buckets: [0; 32],
        }
    }

    fn tables(&self) -> Tables {
        (
            self.names.clone(),
            self.name_buckets,
            self.templates.clone(),
            self.template_buckets,
        )
    }

    fn restore(&mut self, tables: Tables) {
        (
            self.names,
            self.name_buckets,
            self.templates,
            self.template_buckets,
        ) = tables;
    }

    /// Appends the record, or leaves the chunk as it was and says `false` when it does not
    /// fit.
    fn add(&mut self, id: u64, entry: &Entry<'_>) -> bool {
        let saved = self.tables();
        let start = self.data.len();
        let at = start + RECORD_HEADER;
        let binxml = match entry {
            Entry::Event(event) => self.binxml(event, id, at),
            Entry::Truncated(event) => {
                // What the cut-off part defined is not in the chunk: later records must
                // not refer to it.
                let full = self.binxml(event, id, at);
                self.restore(saved.clone());
                full[..full.len() / 2].to_vec()
            }
            Entry::Raw(bytes) => bytes.clone(),
        };
        let size = RECORD_HEADER + binxml.len() + 4;
        if start + size > CHUNK {
            self.restore(saved);
            return false;
        }
        self.data.extend(0x2a2au32.to_le_bytes());
        self.data.extend((size as u32).to_le_bytes());
        self.data.extend(id.to_le_bytes());
        self.data.extend(WRITTEN.to_le_bytes());
        self.data.extend(binxml);
        self.data.extend((size as u32).to_le_bytes());
        self.last_id = id;
        self.last_record = start;
        true
    }

    /// The BinXML of `event`, to be placed at chunk offset `at`. Names and templates it
    /// defines are remembered at the offsets they get there.
    fn binxml(&mut self, event: &Event<'_>, id: u64, at: usize) -> Vec<u8> {
        let mut w = Writer {
            out: Vec::new(),
            base: at,
        };
        w.out.extend(FRAGMENT_HEADER);
        w.out.push(TEMPLATE_INSTANCE);
        w.out.push(0x01);
        let names: Vec<&str> = event.data.iter().map(|(n, _)| *n).collect();
        let key = format!("{}/{}/{}", event.provider, event.event_id, names.join(","));
        match self.templates.get(&key) {
            Some(&(offset, template_id)) => {
                w.out.extend(template_id.to_le_bytes());
                w.out.extend(offset.to_le_bytes());
            }
            None => {
                let template_id = self.templates.len() as u32 + 1;
                w.out.extend(template_id.to_le_bytes());
                // Defined here, right after the offset that points at it.
                let offset = (w.pos() + 4) as u32;
                w.out.extend(offset.to_le_bytes());
                let bucket = template_id as usize % self.template_buckets.len();
                w.out.extend(self.template_buckets[bucket].to_le_bytes()); // next template
                self.template_buckets[bucket] = offset;
                let mut guid = [0u8; 16];
                guid[..4].copy_from_slice(&template_id.to_le_bytes());
                w.out.extend(guid);
                let size_at = w.out.len();
                w.out.extend(0u32.to_le_bytes());
                w.out.extend(FRAGMENT_HEADER);
                self.event_element(&mut w, &names);
                w.out.push(END_OF_STREAM);
                w.patch_size(size_at);
                self.templates.insert(key, (offset, template_id));
            }
        }
        // The substitution values, in the order of their indexes.
        let mut values: Vec<(u8, Vec<u8>)> = vec![
            (STRING, utf16(event.provider)),
            (UINT16, event.event_id.to_le_bytes().to_vec()),
            (UINT64, id.to_le_bytes().to_vec()),
            (FILETIME, WRITTEN.to_le_bytes().to_vec()),
        ];
        values.extend(event.data.iter().map(|(_, v)| (STRING, utf16(v))));
        w.out.extend((values.len() as u32).to_le_bytes());
        for (ty, bytes) in &values {
            w.out.extend((bytes.len() as u16).to_le_bytes());
            w.out.push(*ty);
            w.out.push(0);
        }
        for (_, bytes) in values {
            w.out.extend(bytes);
        }
        w.out.push(END_OF_STREAM);
        w.out
    }

    /// `<Event xmlns=...>` with System and EventData, substitutions numbered as
    /// [`Chunk::binxml`] fills them.
    fn event_element(&mut self, w: &mut Writer, data: &[&str]) {
        let xmlns = "http://schemas.microsoft.com/win/2004/08/events/event";
        self.element(w, "Event", &[("xmlns", Content::Text(xmlns))], |c, w| {
            c.element(w, "System", &[], |c, w| {
                c.element(
                    w,
                    "Provider",
                    &[("Name", Content::Sub(0, STRING))],
                    |_, _| {},
                );
                c.element(w, "EventID", &[], |_, w| w.substitution(1, UINT16));
                c.element(w, "EventRecordID", &[], |_, w| w.substitution(2, UINT64));
                let time = [("SystemTime", Content::Sub(3, FILETIME))];
                c.element(w, "TimeCreated", &time, |_, _| {});
            });
            c.element(w, "EventData", &[], |c, w| {
                for (i, name) in data.iter().enumerate() {
                    let index = 4 + i as u16;
                    c.element(w, "Data", &[("Name", Content::Text(name))], |_, w| {
                        w.substitution(index, STRING)
                    });
                }
            });
        });
    }

    /// An element with its attributes and what `content` writes inside it (an empty
    /// element when it writes nothing). Its data size counts the bytes after that field
    /// up to its end token; its attribute list's size, the attributes.
    fn element(
        &mut self,
        w: &mut Writer,
        name: &str,
        attributes: &[(&str, Content<'_>)],
        content: impl FnOnce(&mut Chunk, &mut Writer),
    ) {
        let token = if attributes.is_empty() {
            OPEN_START
        } else {
            OPEN_START | MORE
        };
        w.out.push(token);
        w.out.extend(0xffffu16.to_le_bytes()); // no dependency
        let size_at = w.out.len();
        w.out.extend(0u32.to_le_bytes());
        self.name(w, name);
        if !attributes.is_empty() {
            let list_at = w.out.len();
            w.out.extend(0u32.to_le_bytes());
            for (i, (attribute, value)) in attributes.iter().enumerate() {
                let more = if i + 1 < attributes.len() { MORE } else { 0 };
                w.out.push(ATTRIBUTE | more);
                self.name(w, attribute);
                match value {
                    Content::Text(text) => {
                        w.out.push(VALUE);
                        w.out.push(STRING);
                        w.out
                            .extend((text.encode_utf16().count() as u16).to_le_bytes());
                        w.out.extend(utf16(text));
                    }
                    Content::Sub(index, ty) => w.substitution(*index, *ty),
                }
            }
            w.patch_size(list_at);
        }
        let close_at = w.out.len();
        w.out.push(CLOSE_START);
        content(self, w);
        if w.out.len() == close_at + 1 {
            w.out[close_at] = CLOSE_EMPTY;
        } else {
            w.out.push(END_ELEMENT);
        }
        w.patch_size(size_at);
    }

    /// A reference to `name` in the chunk's string table, the name itself written in place
    /// the first time the chunk uses it.
    fn name(&mut self, w: &mut Writer, name: &str) {
        if let Some(&offset) = self.names.get(name) {
            w.out.extend(offset.to_le_bytes());
            return;
        }
        let offset = (w.pos() + 4) as u32;
        w.out.extend(offset.to_le_bytes());
        let hash = name_hash(name);
        let bucket = hash as usize % self.name_buckets.len();
        w.out.extend(self.name_buckets[bucket].to_le_bytes()); // next string in the bucket
        self.name_buckets[bucket] = offset;
        w.out.extend(hash.to_le_bytes());
        w.out
            .extend((name.encode_utf16().count() as u16).to_le_bytes());
        w.out.extend(utf16(name));
        w.out.extend(0u16.to_le_bytes());
        self.names.insert(name.to_string(), offset);
    }

    /// The chunk's 64 KiB: header fields, tables and both CRC32s filled in.
    fn finish(mut self) -> Vec<u8> {
        let free = self.data.len();
        self.data.resize(CHUNK, 0);
        let d = &mut self.data;
        d[..8].copy_from_slice(b"ElfChnk\0");
        put_u64(d, 8, self.first_id); // first record number
        put_u64(d, 16, self.last_id);
        put_u64(d, 24, self.first_id); // first record id
        put_u64(d, 32, self.last_id);
        put_u32(d, 40, 128); // header size
        put_u32(d, 44, self.last_record as u32);
        put_u32(d, 48, free as u32);
        let records = crc32(&d[CHUNK_HEADER..free]);
        put_u32(d, 52, records);
        for (i, offset) in self.name_buckets.iter().enumerate() {
            put_u32(d, 128 + i * 4, *offset);
        }
        for (i, offset) in self.template_buckets.iter().enumerate() {
            put_u32(d, 384 + i * 4, *offset);
        }
        let header = crc32(&[&d[..120], &d[128..CHUNK_HEADER]].concat());
        put_u32(d, 124, header);
        self.data
    }
}

enum Content<'a> {
    Text(&'a str),
    Sub(u16, u8),
}

/// BinXML being written at a known chunk offset.
struct Writer {
    out: Vec<u8>,
    base: usize,
}

impl Writer {
    /// The chunk offset of the next byte.
    fn pos(&self) -> usize {
        self.base + self.out.len()
    }

    fn substitution(&mut self, index: u16, ty: u8) {
        self.out.push(SUBSTITUTION);
        self.out.extend(index.to_le_bytes());
        self.out.push(ty);
    }

    /// Writes, at `at`, the number of bytes after the u32 there.
    fn patch_size(&mut self, at: usize) {
        let size = (self.out.len() - at - 4) as u32;
        self.out[at..at + 4].copy_from_slice(&size.to_le_bytes());
    }
}

fn utf16(text: &str) -> Vec<u8> {
    text.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

/// The string table's hash of a name: hash = hash * 65599 + code unit, its low 16 bits.
fn name_hash(name: &str) -> u16 {
    let hash = name.encode_utf16().fold(0u32, |h, c| {
        h.wrapping_mul(65599).wrapping_add(u32::from(c))
    });
    (hash & 0xffff) as u16
}

/// CRC-32 (IEEE 802.3, reflected, as zlib computes it), bit by bit: tests write little.
pub fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn put_u16(d: &mut [u8], at: usize, v: u16) {
    d[at..at + 2].copy_from_slice(&v.to_le_bytes());
}

fn put_u32(d: &mut [u8], at: usize, v: u32) {
    d[at..at + 4].copy_from_slice(&v.to_le_bytes());
}

fn put_u64(d: &mut [u8], at: usize, v: u64) {
    d[at..at + 8].copy_from_slice(&v.to_le_bytes());
}
