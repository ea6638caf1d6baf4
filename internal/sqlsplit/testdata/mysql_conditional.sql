/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;
/*!50003 SET @x = 1; SET @y = 2 */;
CREATE TABLE address (
  address_id SMALLINT UNSIGNED NOT NULL,
  /*!50705 location GEOMETRY NOT NULL,*/
  /*!50705 SPATIAL KEY `idx_location` (location),*/
  PRIMARY KEY (address_id)
) /* an ordinary comment; */ ENGINE=InnoDB;
/*!50610 ALTER TABLE film_text engine=InnoDB */;
/* a plain comment is not a statement */;
/*M!100100 SET @m = 'a;b' */;
SELECT 1 /*M!100100 + 1; */;
