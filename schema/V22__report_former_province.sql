-- The former province (before the 2025 merger) a caller or texter named or keyed, e.g. 'Đắk Nông' inside today's
-- Lâm Đồng (province '68'): agencies still think in the former provinces. NULL when today's unit was named, or
-- none. A name from config/provinces.yaml, never the caller's words.
ALTER TABLE reports ADD COLUMN former_province VARCHAR(64) NULL;
