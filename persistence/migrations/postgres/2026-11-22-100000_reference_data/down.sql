DROP TABLE reference_seeds;
DROP TABLE holidays;
DROP TABLE regions;
